import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { graphWebhookUrl } from '@core-email/contracts';
import {
  ActiveSubscription,
  describeGraphError,
  expiryCeilingMinutes,
  GraphClients,
  graphStatus,
  graphSubscriptionApi,
  GraphSubscriptionsRepository,
  LOGGER,
  MAILBOX_CHANGE_TYPES,
  MAILBOX_RESOURCE,
  isMailboxUnusable,
  OutlookAccountsRepository,
  REDIS_CLUSTER,
  RedisLock,
} from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { SubscriptionMetrics } from './subscription-metrics';

export type EnsureOutcome = 'kept' | 'created' | 'failed' | 'skipped';

/** Another worker is changing this mailbox's subscription right now: the job is retried (with backoff). */
export class SubscriptionBusyError extends Error {
  constructor(userId: string) {
    super(`the subscription of user ${userId} is being changed by another worker`);
    this.name = 'SubscriptionBusyError';
  }
}

// Long enough for a create (Graph's validation handshake alone may take 10 s per URL); frees itself if we die.
const LOCK_TTL_MS = 60_000;

/**
 * A mailbox's one Graph subscription: create (or replace), renew, reauthorize. Every change of one mailbox's
 * subscription runs under a per-mailbox Redis lock, and the table allows one active row per mailbox, so two
 * deliveries of one job never leave two live subscriptions. A mailbox Graph will not give a subscription to
 * is switched to polling (periodic incremental sync) and back to push when one succeeds.
 */
@Injectable()
export class SubscriptionService {
  private readonly lock: RedisLock;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    private readonly graph: GraphClients,
    private readonly subscriptions: GraphSubscriptionsRepository,
    private readonly accounts: OutlookAccountsRepository,
    private readonly metrics: SubscriptionMetrics,
    @Inject(REDIS_CLUSTER) redis: Cluster,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.lock = new RedisLock(redis);
  }

  get notificationUrl(): string {
    return graphWebhookUrl(this.config.env.PUBLIC_BASE_URL, 'notifications');
  }

  get lifecycleNotificationUrl(): string {
    return graphWebhookUrl(this.config.env.PUBLIC_BASE_URL, 'lifecycle');
  }

  /** Subscriptions are switched off for the deployment: the mailbox is kept current by polling. */
  async usePolling(userId: string): Promise<void> {
    await this.subscriptions.setDeliveryMode(userId, 'polling');
  }

  /**
   * Makes sure the mailbox has one live subscription. `replace`: the current one is not to be trusted
   * (Graph removed it, or the mailbox was connected again), so it is deleted at Graph and a new one made.
   */
  async ensure(userId: string, replace: boolean): Promise<EnsureOutcome> {
    const outcome = await this.lock.withLock(`subscriptions:mailbox:{${userId}}`, LOCK_TTL_MS, () =>
      this.ensureLocked(userId, replace),
    );
    if (outcome === undefined) throw new SubscriptionBusyError(userId);
    return outcome;
  }

  /** PATCHes a longer expiry; false (counted, mailbox to polling) when Graph refuses. */
  async renew(sub: ActiveSubscription): Promise<boolean> {
    try {
      const client = this.graph.forMailbox(sub.userId);
      const renewed = await this.withinCeiling((expiry) =>
        graphSubscriptionApi.renew(client, sub.graphSubscriptionId, expiry),
      );
      await this.subscriptions.updateExpiry(sub.graphSubscriptionId, new Date(renewed.expirationDateTime));
      await this.subscriptions.setDeliveryMode(sub.userId, 'push');
      this.metrics.succeeded('renew');
      return true;
    } catch (error) {
      await this.renewalFailed(sub, 'renew', error);
      return false;
    }
  }

  /** Answers `reauthorizationRequired`: POST …/reauthorize, or a renewal PATCH if that is refused. */
  async reauthorize(sub: ActiveSubscription): Promise<boolean> {
    try {
      await graphSubscriptionApi.reauthorize(this.graph.forMailbox(sub.userId), sub.graphSubscriptionId);
      this.metrics.succeeded('reauthorize');
      return true;
    } catch (error) {
      if (isMailboxUnusable(error)) return this.gone(sub.userId, error);
      this.metrics.failed('reauthorize');
      this.logger.warn(
        { userId: sub.userId, err: describeGraphError(error) },
        'reauthorize refused; renewing instead',
      );
      return this.renew(sub);
    }
  }

  private async ensureLocked(userId: string, replace: boolean): Promise<EnsureOutcome> {
    const account = await this.accounts.findByUserId(userId);
    if (!account || account.status !== 'connected') {
      this.logger.info({ userId }, 'no connected mailbox: no subscription');
      return 'skipped';
    }
    const client = this.graph.forMailbox(userId);
    try {
      const live = await this.subscriptions.findActiveByUser(userId);
      const keep = live && !replace && this.outlivesRenewal(live);
      if (keep && (await graphSubscriptionApi.get(client, live.graphSubscriptionId))) {
        // A redelivered job: the one we have is fine. One due for renewal is not (its renewal failed, or
        // this is a retry after polling), so it is replaced instead.
        await this.subscriptions.setDeliveryMode(userId, 'push');
        return 'kept';
      }
      if (live) {
        await graphSubscriptionApi.remove(client, live.graphSubscriptionId);
        await this.subscriptions.markRemoved(live.graphSubscriptionId);
      }
      await this.removeOrphans(userId, live?.graphSubscriptionId);
      await this.create(userId);
      return 'created';
    } catch (error) {
      if (isMailboxUnusable(error)) {
        this.gone(userId, error);
        return 'skipped';
      }
      this.metrics.failed('create');
      const reason = describeGraphError(error);
      this.logger.warn({ userId, err: reason }, 'could not create the Graph subscription; polling instead');
      await this.subscriptions.recordCreateFailure(userId, MAILBOX_RESOURCE, MAILBOX_CHANGE_TYPES, reason);
      await this.subscriptions.setDeliveryMode(userId, 'polling');
      return 'failed';
    }
  }

  private async create(userId: string): Promise<void> {
    // 32 random bytes = 43 base64url characters, well under Graph's 128-character limit.
    const clientState = randomBytes(32).toString('base64url');
    const client = this.graph.forMailbox(userId);
    const created = await this.withinCeiling((expirationDateTime) =>
      graphSubscriptionApi.create(client, {
        notificationUrl: this.notificationUrl,
        lifecycleNotificationUrl: this.lifecycleNotificationUrl,
        expirationDateTime,
        clientState,
      }),
    );
    try {
      await this.subscriptions.insertActive({
        userId,
        graphSubscriptionId: created.id,
        resource: MAILBOX_RESOURCE,
        changeTypes: MAILBOX_CHANGE_TYPES,
        clientState,
        // What Graph granted, which may be less than we asked for.
        expiresAt: new Date(created.expirationDateTime),
      });
    } catch (error) {
      // Not stored means never renewed and never accepted by the webhook: do not leave it live at Graph.
      await graphSubscriptionApi.remove(this.graph.forMailbox(userId), created.id).catch(() => undefined);
      throw error;
    }
    await this.subscriptions.setDeliveryMode(userId, 'push');
    this.metrics.succeeded('create');
    this.logger.info(
      { userId, subscriptionId: created.id, expires: created.expirationDateTime },
      'subscribed',
    );
  }

  /**
   * Ours at Graph but not in our table (a worker died between Graph's 201 and our insert): delete them, so
   * the mailbox never has two live subscriptions pointing at us.
   */
  private async removeOrphans(userId: string, known: string | undefined): Promise<void> {
    const client = this.graph.forMailbox(userId);
    for (const sub of await graphSubscriptionApi.list(client)) {
      if (sub.id === known || sub.notificationUrl !== this.notificationUrl) continue;
      if (sub.resource && sub.resource.toLowerCase() !== MAILBOX_RESOURCE) continue;
      await graphSubscriptionApi.remove(client, sub.id);
      this.logger.warn({ userId, subscriptionId: sub.id }, 'deleted an orphaned Graph subscription');
    }
  }

  private async renewalFailed(sub: ActiveSubscription, op: 'renew', error: unknown): Promise<void> {
    if (isMailboxUnusable(error)) {
      this.gone(sub.userId, error);
      return;
    }
    this.metrics.failed(op);
    const reason = describeGraphError(error);
    this.logger.warn({ userId: sub.userId, err: reason }, 'could not renew the Graph subscription; polling');
    await this.subscriptions.recordRenewalFailure(sub.graphSubscriptionId, reason);
    if (graphStatus(error) === 404) await this.subscriptions.markRemoved(sub.graphSubscriptionId);
    await this.subscriptions.setDeliveryMode(sub.userId, 'polling');
  }

  /** Logs that the mailbox is not usable (not a subscription failure: no polling either); always false. */
  private gone(userId: string, error: unknown): false {
    this.logger.info(
      { userId, err: describeGraphError(error) },
      'mailbox not connected: subscription skipped',
    );
    return false;
  }

  private outlivesRenewal(sub: ActiveSubscription): boolean {
    return sub.expiresAt.getTime() > Date.now() + this.config.env.SUBSCRIPTION_RENEW_WITHIN_MINUTES * 60_000;
  }

  /**
   * Asks for our expiry; if Graph refuses it naming its ceiling (its limit has moved before, and a clock
   * ahead of Graph's trips it), asks once more a minute under that ceiling.
   */
  private async withinCeiling<T>(request: (expirationDateTime: string) => Promise<T>): Promise<T> {
    try {
      return await request(minutesFromNow(this.config.env.SUBSCRIPTION_EXPIRY_MINUTES));
    } catch (error) {
      const ceiling = expiryCeilingMinutes(error);
      if (ceiling === undefined || ceiling < 2) throw error;
      this.logger.warn({ ceiling }, 'Graph refused the subscription expiry; asking at its ceiling');
      return request(minutesFromNow(ceiling - 1));
    }
  }
}

function minutesFromNow(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}
