import { Inject, Injectable } from '@nestjs/common';
import {
  LOGGER,
  mailCacheKey,
  MailWriteMark,
  readMailWriteMark,
  REDIS_CLUSTER,
  withRedisDeadline,
} from '@core-email/platform';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';

/**
 * Entries one user may have cached under one mail version: the folder list and first pages (per folder and
 * page size). Past it answers are served uncached, so no caller can fill the cluster, which also holds
 * everyone's sessions, by varying parameters.
 */
export const MAIL_CACHE_MAX_ENTRIES = 16;

/** An answer larger than this (JSON bytes) is served uncached (e.g. summaries with huge recipient lists). */
export const MAIL_CACHE_MAX_ENTRY_BYTES = 256 * 1024;

// Stores the entry unless the version's index already names MAIL_CACHE_MAX_ENTRIES others. The index
// (`...:v<n>:entries`, a set) lives as long as the entries; all keys share the user's slot.
const SET_CAPPED = `
if redis.call('SISMEMBER', KEYS[2], KEYS[1]) == 0 and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1`;

/**
 * The read cache in the Redis cluster. Keys carry the user's mail version (`mail:{u:<id>}:v<n>:<what>`), so
 * the consumer's one INCR after a write retires every cached page of that user. Every call has the
 * MAIL_CACHE_TIMEOUT_MS deadline and never throws: an unreachable cache means "read PostgreSQL", not an
 * error.
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
    return this.attempt('mark', () => readMailWriteMark(this.redis, userId, this.timeoutMs));
  }

  async get<T>(userId: string, version: string, what: string): Promise<T | null> {
    const text = await this.attempt('get', () =>
      withRedisDeadline(this.redis, this.timeoutMs, () => this.redis.get(this.key(userId, version, what))),
    );
    return text ? (JSON.parse(text) as T) : null;
  }

  /** Caches `value` unless it is too large or the user's version already holds its share of entries. */
  async set(userId: string, version: string, what: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > MAIL_CACHE_MAX_ENTRY_BYTES) return;
    const keys = [this.key(userId, version, what), this.key(userId, version, 'entries')];
    await this.attempt('set', () =>
      withRedisDeadline(this.redis, this.timeoutMs, () =>
        this.redis.eval(SET_CAPPED, 2, ...keys, text, this.ttlSeconds, MAIL_CACHE_MAX_ENTRIES),
      ),
    );
  }

  private key(userId: string, version: string, what: string): string {
    return mailCacheKey(userId, `v${version}:${what}`);
  }

  private async attempt<T>(op: string, call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (err) {
      this.logger.warn({ err, op }, 'mail cache unavailable; reading PostgreSQL');
      return null;
    }
  }
}
