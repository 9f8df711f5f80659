import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { isRedisUnavailable, REDIS_CLUSTER, withRedisDeadline } from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';

/** Far under a failover: the count is a brake on guessing, not worth a slow or refused log-in. */
const DEADLINE_MS = 100;

/** The account's key: its email hashed (Redis never holds an address), on its own shard. */
const key = (email: string) =>
  `login-fail:{a:${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')}}`;

/**
 * Failed log-ins per account, whatever addresses they come from (credential stuffing), in a window of
 * THROTTLE_AUTH_TTL_SECONDS that starts at the first failure. Only failures count, so a user's own
 * log-ins never lock the account. When Redis does not answer within 100 ms the count is skipped: the
 * per-address limit still holds, and a log-in is not refused for the brake's sake.
 */
@Injectable()
export class LogInFailuresRepository {
  private readonly limit: number;
  private readonly windowSeconds: number;

  constructor(
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
  ) {
    this.limit = config.env.THROTTLE_AUTH_LIMIT;
    this.windowSeconds = config.env.THROTTLE_AUTH_TTL_SECONDS;
  }

  /** Seconds until the account may try again, or 0 when it may now. */
  async lockedFor(email: string): Promise<number> {
    const replies = await this.bestEffort(() => this.redis.multi().get(key(email)).ttl(key(email)).exec());
    const count = Number(replies?.[0]?.[1] ?? 0);
    return count >= this.limit ? Math.max(1, Number(replies?.[1]?.[1] ?? 1)) : 0;
  }

  async recordFailure(email: string): Promise<void> {
    await this.bestEffort(() =>
      this.redis.multi().incr(key(email)).expire(key(email), this.windowSeconds, 'NX').exec(),
    );
  }

  async clear(email: string): Promise<void> {
    await this.bestEffort(() => this.redis.del(key(email)));
  }

  private async bestEffort<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withRedisDeadline(this.redis, DEADLINE_MS, call);
    } catch (error) {
      if (isRedisUnavailable(error)) return undefined;
      throw error;
    }
  }
}
