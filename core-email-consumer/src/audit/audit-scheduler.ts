import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { TOPICS } from '@core-email/contracts';
import { KafkaPublisher, LOGGER, PUBLISHER, REDIS_CLUSTER, RedisLock } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { MailAuditsRepository } from './mail-audits.repository';

const LOCK_KEY = 'audit:scheduler';

/**
 * Queues the periodic audits: every AUDIT_TICK_SECONDS, the mailboxes not audited for AUDIT_INTERVAL_HOURS
 * (longest waiting first, at most AUDIT_MAX_PER_TICK) get an `audit_mailbox` job. Every replica ticks; the
 * Redis lock lets one at a time choose and mark mailboxes, so none is queued twice. The bound per tick spreads
 * a deployment's audits (e.g. every mailbox connected the same day) over many ticks instead of one burst.
 */
@Injectable()
export class AuditScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly lock: RedisLock;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(REDIS_CLUSTER) redis: Cluster,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    private readonly repo: MailAuditsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.lock = new RedisLock(redis);
  }

  onApplicationBootstrap(): void {
    if (!this.config.env.AUDIT_SCHEDULER_ENABLED) return;
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.logger.warn({ err }, 'audit scheduler tick failed'));
    }, this.config.env.AUDIT_TICK_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Queues the mailboxes due now; returns them (none when another replica holds the lock). */
  async tick(): Promise<string[]> {
    const ttlMs = this.config.env.AUDIT_TICK_SECONDS * 1000;
    return (await this.lock.withLock(LOCK_KEY, ttlMs, () => this.queueDue())) ?? [];
  }

  private async queueDue(): Promise<string[]> {
    const due = await this.repo.dueMailboxes(
      this.config.env.AUDIT_INTERVAL_HOURS,
      this.config.env.AUDIT_MAX_PER_TICK,
    );
    if (due.length === 0) return due;
    const requestedAt = new Date().toISOString();
    // Published before they are marked: a crash in between queues them again (an audit is idempotent).
    await this.publisher.publishMany(
      TOPICS.auditMailbox,
      due.map((userId) => ({ userId, reason: 'scheduled' as const, requestedAt })),
    );
    await this.repo.markScheduled(due);
    return due;
  }
}
