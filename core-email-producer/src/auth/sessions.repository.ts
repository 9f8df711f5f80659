import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { readWithReplicaFallback, REDIS_CLUSTER, withRedisDeadline } from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';

// One hash tag per user puts a user's sessions and their index in one slot, so revoking all is one MULTI.
const sessionKey = (userId: string, sid: string) => `sess:{u:${userId}}:${sid}`;
const indexKey = (userId: string) => `sessions:{u:${userId}}`;

/** How long the session check waits for the shard's master before a replica is asked too. */
const REPLICA_AFTER_MS = 100;

/**
 * Server-side sessions in the Redis cluster: a JWT is valid only while its session key exists. Every call
 * has the REDIS_TIMEOUT_MS deadline and otherwise throws DependencyUnavailable (503): auth fails closed,
 * never open and never by hanging.
 */
@Injectable()
export class SessionsRepository {
  private readonly timeoutMs: number;

  constructor(
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
  ) {
    this.timeoutMs = config.env.REDIS_TIMEOUT_MS;
  }

  async create(userId: string, sid: string, ttlSeconds: number): Promise<void> {
    await this.bounded(() =>
      this.redis
        .multi()
        .set(sessionKey(userId, sid), '1', 'EX', ttlSeconds)
        .sadd(indexKey(userId), sid)
        .expire(indexKey(userId), ttlSeconds)
        .exec(),
    );
  }

  /**
   * Asked of the shard's master; when that has not answered within 100 ms (killed, its replica not yet
   * promoted), of its replica too. The replica is behind by the replication lag, milliseconds: a session
   * revoked that recently may pass once more, and only while its master is down. A replica that does not
   * know the session does not decide: the master does, or the deadline (503).
   */
  async exists(userId: string, sid: string): Promise<boolean> {
    const found = await readWithReplicaFallback<number>(
      this.redis,
      {
        deadlineMs: this.timeoutMs,
        hedgeAfterMs: Math.min(REPLICA_AFTER_MS, this.timeoutMs / 4),
        // "no such session" from a replica may be a log-in it has not replayed yet: the master decides.
        replicaWins: (found) => found === 1,
      },
      'exists',
      [sessionKey(userId, sid)],
    );
    return found === 1;
  }

  async revoke(userId: string, sid: string): Promise<void> {
    await this.bounded(() =>
      this.redis.multi().del(sessionKey(userId, sid)).srem(indexKey(userId), sid).exec(),
    );
  }

  /** Every session of the user except `keep` (the caller's own, when they stay signed in). */
  async revokeAll(userId: string, keep?: string): Promise<void> {
    const sids = (await this.bounded(() => this.redis.smembers(indexKey(userId)))).filter(
      (sid) => sid !== keep,
    );
    if (sids.length === 0) return;
    await this.bounded(() =>
      this.redis
        .multi()
        .del(...sids.map((sid) => sessionKey(userId, sid)))
        .srem(indexKey(userId), ...sids)
        .exec(),
    );
  }

  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withRedisDeadline(this.redis, this.timeoutMs, call);
  }
}
