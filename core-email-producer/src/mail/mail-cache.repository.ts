import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, mailCacheKey, MailWriteMark, readMailWriteMark, REDIS_CLUSTER } from '@core-email/platform';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';

/**
 * The read cache in the Redis cluster. Keys carry the user's mail version (`mail:{u:<id>}:v<n>:<what>`), so
 * the consumer's one INCR after a write retires every cached page of that user. Every call has a short
 * deadline and never throws: an unreachable cache means "read PostgreSQL", not an error.
 */
@Injectable()
export class MailCacheRepository {
  private readonly ttlSeconds: number;
  private readonly timeoutMs: number;

  constructor(
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.ttlSeconds = config.env.MAIL_CACHE_TTL_SECONDS;
    this.timeoutMs = config.env.MAIL_CACHE_TIMEOUT_MS;
  }

  /** The user's version and last write position; null when Redis cannot say. */
  mark(userId: string): Promise<MailWriteMark | null> {
    return this.attempt('mark', () => readMailWriteMark(this.redis, userId));
  }

  async get<T>(userId: string, version: string, what: string): Promise<T | null> {
    const text = await this.attempt('get', () => this.redis.get(this.key(userId, version, what)));
    return text ? (JSON.parse(text) as T) : null;
  }

  async set(userId: string, version: string, what: string, value: unknown): Promise<void> {
    const key = this.key(userId, version, what);
    await this.attempt('set', () => this.redis.set(key, JSON.stringify(value), 'EX', this.ttlSeconds));
  }

  private key(userId: string, version: string, what: string): string {
    return mailCacheKey(userId, `v${version}:${what}`);
  }

  private async attempt<T>(op: string, call: () => Promise<T>): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`mail cache ${op}: no answer in ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    const work = call();
    work.catch(() => undefined); // a late failure after the deadline must not become an unhandled rejection
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      this.logger.warn({ err, op }, 'mail cache unavailable; reading PostgreSQL');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
