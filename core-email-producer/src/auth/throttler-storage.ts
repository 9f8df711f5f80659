import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Cluster } from 'ioredis';
import { withRedisDeadline } from '@core-email/platform';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counters in the Redis cluster (so a limit holds across producer replicas), each count
 * within a deadline: Redis unreachable makes sign-up and log-in a 503 with Retry-After (fail closed)
 * instead of a hang. A count that lands after the deadline only makes the limit stricter.
 */
export class DeadlineThrottlerStorage implements ThrottlerStorage {
  private readonly counts: ThrottlerStorageRedisService;

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
    );
  }
}
