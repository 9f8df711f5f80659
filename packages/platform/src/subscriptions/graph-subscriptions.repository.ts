import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { GraphSubscriptionStatus } from '../database/entities/graph-subscription.entity';

export type DeliveryMode = 'push' | 'polling';

/** What the webhook needs to accept a notification: whose it is, its secret, and whether it is live. */
export interface SubscriptionLookup {
  userId: string;
  clientState: string;
  status: GraphSubscriptionStatus;
}

export interface ActiveSubscription {
  userId: string;
  graphSubscriptionId: string;
  clientState: string;
  expiresAt: Date;
}

export interface NewSubscription extends ActiveSubscription {
  resource: string;
  changeTypes: string;
}

interface ActiveRow {
  user_id: string;
  graph_subscription_id: string;
  client_state: string;
  expires_at: Date;
}

const toActive = (r: ActiveRow): ActiveSubscription => ({
  userId: r.user_id,
  graphSubscriptionId: r.graph_subscription_id,
  clientState: r.client_state,
  expiresAt: new Date(r.expires_at),
});

/**
 * Every query on graph_subscriptions (and outlook_accounts.delivery_mode). All on the primary: the webhook
 * must see a subscription the moment it is created, or it would drop the first notifications as unknown.
 */
@Injectable()
export class GraphSubscriptionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByGraphId(graphSubscriptionId: string): Promise<SubscriptionLookup | null> {
    const rows = (await this.dataSource.query(
      `SELECT user_id, client_state, status FROM graph_subscriptions WHERE graph_subscription_id = $1`,
      [graphSubscriptionId],
    )) as { user_id: string; client_state: string; status: GraphSubscriptionStatus }[];
    const row = rows[0];
    return row ? { userId: row.user_id, clientState: row.client_state, status: row.status } : null;
  }

  /** The live subscriptions among `graphSubscriptionIds`, in one query (the webhook's lookup per request). */
  async findActiveByGraphIds(graphSubscriptionIds: string[]): Promise<Map<string, SubscriptionLookup>> {
    const rows = (await this.dataSource.query(
      `SELECT graph_subscription_id, user_id, client_state, status FROM graph_subscriptions
        WHERE graph_subscription_id = ANY($1::text[]) AND status = 'active'`,
      [graphSubscriptionIds],
    )) as {
      graph_subscription_id: string;
      user_id: string;
      client_state: string;
      status: GraphSubscriptionStatus;
    }[];
    return new Map(
      rows.map((r) => [
        r.graph_subscription_id,
        { userId: r.user_id, clientState: r.client_state, status: r.status },
      ]),
    );
  }

  async findActiveByUser(userId: string): Promise<ActiveSubscription | null> {
    const rows = (await this.dataSource.query(
      `SELECT user_id, graph_subscription_id, client_state, expires_at
         FROM graph_subscriptions WHERE user_id = $1 AND status = 'active'`,
      [userId],
    )) as ActiveRow[];
    return rows[0] ? toActive(rows[0]) : null;
  }

  /**
   * Live subscriptions that expire before `before`, oldest first (the renewal sweep). Only those of
   * connected mailboxes that have not expired yet: anything else is retired by `retireStale` and must never
   * crowd the live ones out of the batch.
   */
  async listExpiringBefore(before: Date, limit = 1000): Promise<ActiveSubscription[]> {
    const rows = (await this.dataSource.query(
      `SELECT s.user_id, s.graph_subscription_id, s.client_state, s.expires_at
         FROM graph_subscriptions s JOIN outlook_accounts a ON a.user_id = s.user_id AND a.status = 'connected'
        WHERE s.status = 'active' AND s.expires_at > now() AND s.expires_at < $1
        ORDER BY s.expires_at LIMIT $2`,
      [before, limit],
    )) as ActiveRow[];
    return rows.map(toActive);
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
