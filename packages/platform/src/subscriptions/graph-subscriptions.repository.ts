import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { col, defineTable, RowOf, selectList } from '../database/table';
import type { DeliveryMode } from '../microsoft/outlook-accounts.repository';

export type GraphSubscriptionStatus = 'active' | 'removed' | 'failed';

/** A Graph subscription of one mailbox; `failed` rows (no Graph id) record creations Graph refused. */
export const graphSubscriptionsTable = defineTable({
  name: 'graph_subscriptions',
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    graph_subscription_id: col.text().orNull(),
    resource: col.text(),
    change_types: col.text(),
    client_state: col.text(),
    expires_at: col.timestamptz().orNull(),
    status: col.text<GraphSubscriptionStatus>(),
    failure_count: col.integer(),
    last_error: col.text().orNull(),
    created_at: col.timestamptz(),
    updated_at: col.timestamptz(),
    /** Created with `Prefer: IdType="ImmutableId"` (notifications name messages by the ids the copy stores). */
    immutable_ids: col.boolean(),
  },
  indexes: {
    graph_subscriptions_graph_subscription_id_key: 'UNIQUE USING btree (graph_subscription_id)',
    graph_subscriptions_one_active: "UNIQUE USING btree (user_id) WHERE (status = 'active'::text)",
    graph_subscriptions_expiry: "USING btree (expires_at) WHERE (status = 'active'::text)",
  },
});

/** What the webhook needs to accept a notification: whose it is, its secret, and whether it is live. */
export type SubscriptionLookup = RowOf<typeof graphSubscriptionsTable, 'user_id' | 'client_state' | 'status'>;
const LOOKUP_COLUMNS = selectList(graphSubscriptionsTable, ['user_id', 'client_state', 'status']);

/** A live subscription: it has a Graph id and an expiry. */
export interface ActiveSubscription {
  userId: string;
  graphSubscriptionId: string;
  clientState: string;
  expiresAt: Date;
}
const ACTIVE_COLUMNS = (alias?: string) =>
  selectList(
    graphSubscriptionsTable,
    ['user_id', 'graph_subscription_id', 'client_state', 'expires_at'],
    alias,
  );

export interface NewSubscription extends ActiveSubscription {
  resource: string;
  changeTypes: string;
}

/**
 * Every query on graph_subscriptions (and outlook_accounts.delivery_mode). All on the primary: the webhook
 * must see a subscription the moment it is created, or it would drop the first notifications as unknown.
 */
@Injectable()
export class GraphSubscriptionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByGraphId(graphSubscriptionId: string): Promise<SubscriptionLookup | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${LOOKUP_COLUMNS} FROM graph_subscriptions WHERE graph_subscription_id = $1`,
      [graphSubscriptionId],
    )) as SubscriptionLookup[];
    return rows[0] ?? null;
  }

  /** The live subscriptions among `graphSubscriptionIds`, in one query (the webhook's lookup per request). */
  async findActiveByGraphIds(graphSubscriptionIds: string[]): Promise<Map<string, SubscriptionLookup>> {
    const rows = (await this.dataSource.query(
      `SELECT graph_subscription_id AS "graphSubscriptionId", ${LOOKUP_COLUMNS} FROM graph_subscriptions
        WHERE graph_subscription_id = ANY($1::text[]) AND status = 'active'`,
      [graphSubscriptionIds],
    )) as Array<SubscriptionLookup & { graphSubscriptionId: string }>;
    return new Map(rows.map(({ graphSubscriptionId, ...lookup }) => [graphSubscriptionId, lookup]));
  }

  async findActiveByUser(userId: string): Promise<ActiveSubscription | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${ACTIVE_COLUMNS()} FROM graph_subscriptions WHERE user_id = $1 AND status = 'active'`,
      [userId],
    )) as ActiveSubscription[];
    return rows[0] ?? null;
  }

  /**
   * Live subscriptions that expire before `before`, oldest first (the renewal sweep). Only those of
   * connected mailboxes that have not expired yet: anything else is retired by `retireStale` and must never
   * crowd the live ones out of the batch.
   */
  async listExpiringBefore(before: Date, limit = 1000): Promise<ActiveSubscription[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${ACTIVE_COLUMNS('s')}
         FROM graph_subscriptions s JOIN outlook_accounts a ON a.user_id = s.user_id AND a.status = 'connected'
        WHERE s.status = 'active' AND s.expires_at > now() AND s.expires_at < $1
        ORDER BY s.expires_at LIMIT $2`,
      [before, limit],
    )) as ActiveSubscription[];
    return rows;
  }

  /**
   * `active` rows that are not live any more: the mailbox is no longer connected (disconnected, reauth
   * required: its renewals can only fail) or the subscription expired at Graph. Marked `removed`; returns the
   * connected mailboxes whose subscription expired, which need a new one (and a catch-up sync).
   */
  async retireStale(): Promise<string[]> {
    // An UPDATE … RETURNING answers [rows, affected] through TypeORM.
    const [rows] = (await this.dataSource.query(
      `UPDATE graph_subscriptions s SET status = 'removed', updated_at = now()
         FROM graph_subscriptions o LEFT JOIN outlook_accounts a ON a.user_id = o.user_id
        WHERE o.id = s.id AND s.status = 'active'
          AND (a.status IS DISTINCT FROM 'connected' OR s.expires_at <= now())
        RETURNING s.user_id, a.status AS account_status`,
    )) as [{ user_id: string; account_status: string | null }[], number];
    return rows.filter((r) => r.account_status === 'connected').map((r) => r.user_id);
  }

  /** Connected mailboxes whose live subscription predates immutable ids in notifications (recreated once). */
  async listWithDefaultIds(limit = 1000): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT s.user_id FROM graph_subscriptions s
         JOIN outlook_accounts a ON a.user_id = s.user_id AND a.status = 'connected'
        WHERE s.status = 'active' AND NOT s.immutable_ids ORDER BY s.user_id LIMIT $1`,
      [limit],
    )) as { user_id: string }[];
    return rows.map((r) => r.user_id);
  }

  /**
   * Records a subscription Graph just created and clears the mailbox's failed attempts. Throws a unique
   * violation if the mailbox already has a live one (the caller removes the old one first).
   */
  async insertActive(s: NewSubscription): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM graph_subscriptions WHERE user_id = $1 AND status = 'failed' AND graph_subscription_id IS NULL`,
        [s.userId],
      );
      await tx.query(
        `INSERT INTO graph_subscriptions
           (user_id, graph_subscription_id, resource, change_types, client_state, expires_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'active')`,
        [s.userId, s.graphSubscriptionId, s.resource, s.changeTypes, s.clientState, s.expiresAt],
      );
    });
  }

  async markRemoved(graphSubscriptionId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE graph_subscriptions SET status = 'removed', updated_at = now()
        WHERE graph_subscription_id = $1 AND status = 'active'`,
      [graphSubscriptionId],
    );
  }

  async updateExpiry(graphSubscriptionId: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE graph_subscriptions SET expires_at = $2, failure_count = 0, last_error = NULL, updated_at = now()
        WHERE graph_subscription_id = $1`,
      [graphSubscriptionId, expiresAt],
    );
  }

  /** A renewal (or reauthorization) of a live subscription failed. */
  async recordRenewalFailure(graphSubscriptionId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE graph_subscriptions SET failure_count = failure_count + 1, last_error = $2, updated_at = now()
        WHERE graph_subscription_id = $1`,
      [graphSubscriptionId, error.slice(0, 2000)],
    );
  }

  /** Graph refused to create one: counted on the mailbox's one `failed` row (no Graph id). */
  async recordCreateFailure(
    userId: string,
    resource: string,
    changeTypes: string,
    error: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const updated = (await tx.query(
        `UPDATE graph_subscriptions SET failure_count = failure_count + 1, last_error = $2, updated_at = now()
          WHERE user_id = $1 AND status = 'failed' AND graph_subscription_id IS NULL RETURNING id`,
        [userId, error.slice(0, 2000)],
      )) as [unknown[], number];
      if (updated[1] > 0) return;
      // client_state is NOT NULL; a failed attempt has no secret worth keeping.
      await tx.query(
        `INSERT INTO graph_subscriptions (user_id, resource, change_types, client_state, status, failure_count, last_error)
         VALUES ($1, $2, $3, '', 'failed', 1, $4)`,
        [userId, resource, changeTypes, error.slice(0, 2000)],
      );
    });
  }

  /** Failures of the mailbox's current attempt (live subscription or failed creation); 0 when none. */
  async failureCount(userId: string): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT COALESCE(MAX(failure_count), 0)::int AS n FROM graph_subscriptions
        WHERE user_id = $1 AND (status = 'active' OR (status = 'failed' AND graph_subscription_id IS NULL))`,
      [userId],
    )) as { n: number }[];
    return rows[0]?.n ?? 0;
  }

  // ---- delivery mode (a column of outlook_accounts): what GET /api/mail/sync can show ----

  async deliveryMode(userId: string): Promise<DeliveryMode | null> {
    const rows = (await this.dataSource.query(
      `SELECT delivery_mode FROM outlook_accounts WHERE user_id = $1`,
      [userId],
    )) as { delivery_mode: DeliveryMode }[];
    return rows[0]?.delivery_mode ?? null;
  }

  async setDeliveryMode(userId: string, mode: DeliveryMode): Promise<void> {
    await this.dataSource.query(
      `UPDATE outlook_accounts SET delivery_mode = $2 WHERE user_id = $1 AND delivery_mode <> $2`,
      [userId, mode],
    );
  }

  /** Connected mailboxes that fell back to polling: they get a periodic incremental sync. */
  async listPollingMailboxes(limit = 10_000): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT user_id FROM outlook_accounts WHERE delivery_mode = 'polling' AND status = 'connected'
        ORDER BY user_id LIMIT $1`,
      [limit],
    )) as { user_id: string }[];
    return rows.map((r) => r.user_id);
  }
}
