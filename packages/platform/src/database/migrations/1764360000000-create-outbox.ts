import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (platform `src/outbox/`): a Kafka record that must not be lost (a connect's first
 * sync job, a resync, an audit request) is written here in the same transaction as the change it belongs to,
 * and relayed to Kafka afterwards, so no transaction ever waits on Kafka (review M4).
 *
 * `value` is the encoded message (validated against its contract when written). A relay claims rows for
 * `claimed_until` (a lease; another relay takes them over once it passed), sends them, and deletes them once
 * the broker acknowledged. `attempts` counts failed sends.
 */
export class CreateOutbox1764360000000 implements MigrationInterface {
  name = 'CreateOutbox1764360000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        value bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        claimed_by uuid,
        claimed_until timestamptz,
        attempts integer NOT NULL DEFAULT 0
      )`);
    // Per-key order: a row is claimed only when no earlier row of its topic and key is claimed by another relay.
    await db.query(`CREATE INDEX outbox_topic_key_idx ON outbox (topic, key, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
  }
}
