import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Graph change-notification subscriptions, one live (`active`) row per mailbox at most: the partial unique
 * index makes "two live subscriptions for one mailbox" impossible even if two workers race. A failed creation
 * is a row with no Graph id (status `failed`), so its failure count and last error stay visible.
 * `outlook_accounts.delivery_mode` says how the mailbox learns about changes: `push` (webhook) or `polling`
 * (periodic delta) when Graph would not give us a subscription.
 */
export class CreateGraphSubscriptions1764320000000 implements MigrationInterface {
  name = 'CreateGraphSubscriptions1764320000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE graph_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        graph_subscription_id text UNIQUE,
        resource text NOT NULL,
        change_types text NOT NULL,
        client_state text NOT NULL,
        expires_at timestamptz,
        status text NOT NULL CHECK (status IN ('active', 'removed', 'failed')),
        failure_count integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE UNIQUE INDEX graph_subscriptions_one_active ON graph_subscriptions (user_id) WHERE status = 'active'`,
    );
    // The renewal sweep reads live subscriptions by expiry.
    await db.query(
      `CREATE INDEX graph_subscriptions_expiry ON graph_subscriptions (expires_at) WHERE status = 'active'`,
    );
    await db.query(
      `ALTER TABLE outlook_accounts ADD COLUMN delivery_mode text NOT NULL DEFAULT 'push'
         CHECK (delivery_mode IN ('push', 'polling'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outlook_accounts DROP COLUMN delivery_mode`);
    await db.query(`DROP TABLE graph_subscriptions`);
  }
}
