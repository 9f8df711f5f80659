import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { withRedisDeadline } from '../redis/redis-deadline';

// Deletes the key only if it still holds our token: a holder whose lock expired never frees a successor's.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * How long taking or freeing the lock may wait for Redis: long enough to outlast a master's failover
 * (~3 s on the stack). Past it, taking throws DependencyUnavailable('redis') and freeing gives up (the key
 * then expires on its TTL).
 */
export const REDIS_LOCK_DEADLINE_MS = 5_000;

/** A short single-key lock in the Redis cluster (SET NX PX), for "one at a time" across replicas. */
export class RedisLock {
  constructor(
    private readonly redis: Cluster,
    private readonly deadlineMs = REDIS_LOCK_DEADLINE_MS,
  ) {}

  /**
   * Runs `work` if the lock is free and returns its result; `undefined` when someone else holds it.
   * DependencyUnavailable when Redis does not answer in time (then `work` does not run).
   */
  async withLock<T>(key: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
    const token = randomUUID();
    const acquired = await withRedisDeadline(this.redis, this.deadlineMs, () =>
      this.redis.set(key, token, 'PX', ttlMs, 'NX'),
    );
    if (acquired !== 'OK') return undefined;
    try {
      return await work();
    } finally {
      await withRedisDeadline(this.redis, this.deadlineMs, () =>
        this.redis.eval(RELEASE, 1, key, token),
      ).catch(() => undefined);
    }
  }
}
