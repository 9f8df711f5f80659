import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a subscription was created with `Prefer: IdType="ImmutableId"`. Graph keeps the id format a
 * subscription was created with, and notifications in the default format name messages by ids the copy does
 * not store (they change on move), so rows from before the header are recreated once (`false`); every new
 * subscription has it (`true`).
 */
export class SubscriptionImmutableIds1764340000000 implements MigrationInterface {
  name = 'SubscriptionImmutableIds1764340000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE graph_subscriptions ADD COLUMN immutable_ids boolean NOT NULL DEFAULT false`);
    await db.query(`ALTER TABLE graph_subscriptions ALTER COLUMN immutable_ids SET DEFAULT true`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE graph_subscriptions DROP COLUMN immutable_ids`);
  }
}
