import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { col, defineTable, RowOf } from '../database/table';

/** Kafka records written with the change they belong to, relayed afterwards (see the create-outbox migration). */
export const outboxTable = defineTable({
  name: 'outbox',
  columns: {
    id: col.bigint(),
    topic: col.text(),
    key: col.text(),
    /** The encoded message, checked against its contract when written. */
    value: col.bytea(),
    created_at: col.timestamptz(),
    claimed_by: col.uuid().orNull(),
    claimed_until: col.timestamptz().orNull(),
    attempts: col.integer(),
  },
  indexes: { outbox_topic_key_idx: 'USING btree (topic, key, id)' },
});

/** A record waiting in the outbox. */
export type OutboxRecord = RowOf<typeof outboxTable, 'id' | 'topic' | 'key' | 'value'>;

/**
 * Claims are serialised across relays by this advisory lock, held only for the claim statement's short
 * transaction: each claim then sees every earlier one, so two relays never split one key's rows between them.
 */
const CLAIM_LOCK = 0x6f7574626f78; // "outbox"

/**
 * Every query on `outbox`. Each statement is its own short transaction on the primary: nothing here waits on
 * Kafka with a transaction open.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Within the caller's transaction (`db` its manager), or on its own. */
  async insert(db: EntityManager, record: Omit<OutboxRecord, 'id'>): Promise<void> {
    await db.query(`INSERT INTO outbox (topic, key, value) VALUES ($1, $2, $3)`, [
      record.topic,
      record.key,
      record.value,
    ]);
  }

  /**
   * Up to `limit` of the oldest unclaimed (or abandoned: lease passed) rows, claimed by `relayId` for
   * `leaseMs`. A row whose topic and key has an earlier row still claimed by another relay is left: that
   * relay sends the earlier one first. Returned in id order.
   */
  async claim(relayId: string, limit: number, leaseMs: number): Promise<OutboxRecord[]> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CLAIM_LOCK]);
      const rows = (await tx.query(
        `WITH next AS (
           SELECT o.id FROM outbox o
            WHERE (o.claimed_until IS NULL OR o.claimed_until < now())
              AND NOT EXISTS (
                SELECT 1 FROM outbox p
                 WHERE p.topic = o.topic AND p.key = o.key AND p.id < o.id AND p.claimed_until >= now())
            ORDER BY o.id
            LIMIT $2
              FOR UPDATE SKIP LOCKED)
         UPDATE outbox SET claimed_by = $1, claimed_until = now() + make_interval(secs => $3::float8 / 1000)
           FROM next WHERE outbox.id = next.id
         RETURNING outbox.id::text AS id, outbox.topic, outbox.key, outbox.value`,
        [relayId, limit, leaseMs],
      )) as [OutboxRecord[], number];
      return rows[0].sort((a, b) => compareIds(a.id, b.id));
    });
  }

  /** The broker acknowledged them. */
  async delete(relayId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[]) AND claimed_by = $2`, [
      ids,
      relayId,
    ]);
  }

  /** Sending failed: the rows are free for the next claim (by any relay). */
  async release(relayId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, attempts = attempts + 1
        WHERE id = ANY($1::bigint[]) AND claimed_by = $2`,
      [ids, relayId],
    );
  }

  /** Rows waiting (claimed or not), and the age of the oldest in seconds. */
  async backlog(): Promise<{ rows: number; oldestSeconds: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS rows,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS "oldestSeconds"
         FROM outbox`,
    )) as Array<{ rows: number; oldestSeconds: number }>;
    return row;
  }
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
