import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';

// Deletes the key only if it still holds our token: a holder whose lock expired never frees a successor's.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** A short single-key lock in the Redis cluster (SET NX PX), for "one at a time" across replicas. */
export class RedisLock {
  constructor(private readonly redis: Cluster) {}

  /** Runs `work` if the lock is free and returns its result; `undefined` when someone else holds it. */
  async withLock<T>(key: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
    const token = randomUUID();
    const acquired = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    if (acquired !== 'OK') return undefined;
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
