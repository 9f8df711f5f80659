import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { TOPICS } from '@core-email/contracts';
import {
  GraphSubscriptionsRepository,
  KafkaPublisher,
  LOGGER,
  PUBLISHER,
  REDIS_CLUSTER,
} from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';

/**
 * The deployment's one clock for renewal ticks and polling. Every replica runs the timers; time is cut
 * into slots of one interval, and a slot fires only in the replica that claims its Redis key first
 * (SET NX), so each slot fires once across all replicas, and a replica dying never stops the clock.
 */
@Injectable()
export class SubscriptionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    private readonly repo: GraphSubscriptionsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.env.SUBSCRIPTION_SCHEDULER_ENABLED) this.start();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  start(): void {
    this.every('renewal', this.config.env.SUBSCRIPTION_CRON_INTERVAL_SECONDS * 1000, (slot) =>
      this.tick(slot),
    );
    this.every('polling', this.config.env.POLLING_INTERVAL_SECONDS * 1000, () => this.poll());
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t);
  }

  /** Publishes one renewal tick (the slot's start time is its identity). */
  async tick(slot: Date): Promise<void> {
    await this.publisher.publish(TOPICS.createEmailSubscriptionCron, {
      tick: slot.toISOString(),
      renewWithinMinutes: this.config.env.SUBSCRIPTION_RENEW_WITHIN_MINUTES,
    });
  }

  /** An incremental sync for every mailbox without a subscription. */
  async poll(): Promise<void> {
    const users = await this.repo.listPollingMailboxes();
    const requestedAt = new Date().toISOString();
    await this.publisher.publishMany(
      TOPICS.syncEmail,
      users.map((userId) => ({
        userId,
        runId: randomUUID(),
        mode: 'incremental' as const,
        reason: 'polling' as const,
        requestedAt,
      })),
    );
  }

  /** Runs `work` at each slot boundary of `intervalMs` in the one replica that claims the slot. */
  private every(name: string, intervalMs: number, work: (slot: Date) => Promise<void>): void {
    const arm = () => {
      const next = (Math.floor(Date.now() / intervalMs) + 1) * intervalMs;
      const timer = setTimeout(() => {
        void this.claim(name, next, intervalMs)
          .then((mine) => (mine ? work(new Date(next)) : undefined))
          .catch((err: unknown) => this.logger.warn({ err, name }, 'scheduler slot failed'))
          .finally(() => {
            if (this.timers.includes(timer)) {
              this.timers.splice(this.timers.indexOf(timer), 1);
              arm();
            }
          });
      }, next - Date.now());
      timer.unref();
      this.timers.push(timer);
    };
    arm();
  }

  private async claim(name: string, slot: number, intervalMs: number): Promise<boolean> {
    // The key outlives its slot so a replica whose clock lags a little cannot claim it again. The interval is
    // part of the key so a slot of a 1 s clock (tests) is never mistaken for one of the 5 min clock.
    const key = `subscriptions:scheduler:${name}:${intervalMs}:${slot}`;
    const ok = await this.redis.set(key, '1', 'PX', intervalMs * 3, 'NX');
    return ok === 'OK';
  }
}
