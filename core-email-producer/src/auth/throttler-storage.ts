import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Cluster } from 'ioredis';
import { isRedisUnavailable, withRedisDeadline } from '@core-email/platform';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counters in the Redis cluster (so a limit holds across producer replicas), each count
 * within a deadline. When the counter's shard cannot answer in time (its master failing over, or Redis
 * down) the count is kept in this process instead: the limit then holds per replica for those seconds,
 * rather than sign-in failing with the shard (a session is written to a shard that answers; with Redis
 * down, sign-in is still a 503 at the session). A count that lands after the deadline only makes the limit
 * stricter.
 */
export class DeadlineThrottlerStorage implements ThrottlerStorage {
  private readonly counts: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();

  constructor(
    private readonly redis: Cluster,
    private readonly timeoutMs: number,
  ) {
    this.counts = new ThrottlerStorageRedisService(redis);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return withRedisDeadline(this.redis, this.timeoutMs, () =>
      this.counts.increment(key, ttl, limit, blockDuration, throttlerName),
    ).catch((error: unknown) => {
      if (!isRedisUnavailable(error)) throw error;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    });
  }
}
