import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import {
  isRedisUnavailable,
  readWithReplicaFallback,
  REDIS_CLUSTER,
  withRedisDeadline,
} from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';

// A session lives on the shard its own id hashes to: a log-in whose shard is failing over writes its
// session under another id, on another shard. "Sign out everywhere" is the user's epoch (on the user's
// shard): a session created before it is no longer valid.
const sessionKey = (sid: string) => `sess:{s:${sid}}`;
const epochKey = (userId: string) => `sess-epoch:{u:${userId}}`;

/** How long the session check waits for the shard's master before a replica is asked too. */
const REPLICA_AFTER_MS = 100;
/** How long one session write may take before a log-in tries another id (a healthy write takes milliseconds). */
const ATTEMPT_MS = 100;

/**
 * Server-side sessions in the Redis cluster: a JWT is valid only while its session key exists and is not
 * older than its user's epoch. Every call has the REDIS_TIMEOUT_MS deadline and otherwise throws
 * DependencyUnavailable (503): auth fails closed, never open and never by hanging.
 */
@Injectable()
export class SessionsRepository {
  private readonly timeoutMs: number;
  private readonly maxTtlSeconds: number;

  constructor(
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
  ) {
    this.timeoutMs = config.env.REDIS_TIMEOUT_MS;
    this.maxTtlSeconds = config.env.JWT_TTL_SECONDS;
  }

  /**
   * A new session of the user; returns its id. A write that has not answered within ATTEMPT_MS is given up
   * and another id tried (most likely another shard: a failing master holds a third of the ids), until
   * REDIS_TIMEOUT_MS; a write given up that lands later only leaves a key that expires unused.
   */
  async create(userId: string, ttlSeconds: number): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const sid = randomUUID();
      const left = deadline - Date.now();
      try {
        await withRedisDeadline(this.redis, Math.min(ATTEMPT_MS, left), () =>
          this.redis.set(sessionKey(sid), `${userId}:${Date.now()}`, 'EX', ttlSeconds),
        );
        return sid;
      } catch (error) {
        if (!isRedisUnavailable(error) || left <= ATTEMPT_MS) throw error;
      }
    }
  }

  /**
   * The session and the user's epoch, each asked of its shard's master and, when that has not answered within
   * 100 ms (killed, its replica not yet promoted), of its replica too. A replica is behind by the replication
   * lag, milliseconds: a session revoked that recently may pass once more, and only while its master is down.
   * A replica that does not know the session does not decide: the master does, or the deadline (503).
   */
  async exists(userId: string, sid: string): Promise<boolean> {
    const [session, epoch] = await Promise.all([
      // "No such session" from a replica may be a log-in it has not replayed yet: the master decides.
      this.read(sessionKey(sid), (value) => value !== null),
      // Behind by milliseconds at most, as the sessions are: a replica's epoch is taken while the master is gone.
      this.read(epochKey(userId), () => true),
    ]);
    if (session === null) return false;
    const [owner, createdAt] = session.split(':');
    return owner === userId && Number(createdAt) >= Number(epoch ?? 0);
  }

  async revoke(sid: string): Promise<void> {
    await this.bounded(() => this.redis.del(sessionKey(sid)));
  }

  /** Every session of the user: each one created before now is invalid from now on. */
  async revokeAll(userId: string): Promise<void> {
    const now = String(Date.now());
    await this.bounded(() => this.redis.set(epochKey(userId), now, 'EX', this.maxTtlSeconds));
  }

  private read(key: string, replicaWins: (value: unknown) => boolean): Promise<string | null> {
    return readWithReplicaFallback<string | null>(
      this.redis,
      {
        deadlineMs: this.timeoutMs,
        hedgeAfterMs: Math.min(REPLICA_AFTER_MS, this.timeoutMs / 4),
        replicaWins,
      },
      'get',
      [key],
    );
  }

  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withRedisDeadline(this.redis, this.timeoutMs, call);
  }
}
