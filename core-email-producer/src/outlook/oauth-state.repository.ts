import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { z } from 'zod';
import { REDIS_CLUSTER, withRedisDeadline } from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';

/** Who started a connect and the PKCE verifier that redeems its code. Lives only in Redis, briefly. */
export interface PendingConnect {
  userId: string;
  sessionId: string;
  codeVerifier: string;
  /** Hash of the nonce in the starting browser's cookie. */
  browserBinding: string;
}

const pendingConnect = z.object({
  userId: z.string().uuid(),
  sessionId: z.string().min(1),
  codeVerifier: z.string().min(43).max(128),
  browserBinding: z.string().min(1),
});

const key = (state: string) => `outlook:oauth-state:${state}`;

/**
 * The OAuth `state` values in flight: written at connect, taken exactly once at the redirect. Each call has
 * the REDIS_TIMEOUT_MS deadline, else DependencyUnavailable (503 with Retry-After).
 */
@Injectable()
export class OAuthStateRepository {
  private readonly timeoutMs: number;

  constructor(
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
  ) {
    this.timeoutMs = config.env.REDIS_TIMEOUT_MS;
  }

  async save(state: string, pending: PendingConnect, ttlSeconds: number): Promise<void> {
    await withRedisDeadline(this.redis, this.timeoutMs, () =>
      this.redis.set(key(state), JSON.stringify(pending), 'EX', ttlSeconds),
    );
  }

  /** The connect a state belongs to, left in place: the redirect checks the browser before taking it. */
  async peek(state: string): Promise<PendingConnect | null> {
    return parsePending(
      await withRedisDeadline(this.redis, this.timeoutMs, () => this.redis.get(key(state))),
    );
  }

  /**
   * GETDEL: of two requests with one state, only one gets it. Unknown, used or expired → null. A GETDEL
   * abandoned at the deadline may still consume the state: the user then starts the connect again.
   */
  async take(state: string): Promise<PendingConnect | null> {
    return parsePending(
      await withRedisDeadline(this.redis, this.timeoutMs, () => this.redis.getdel(key(state))),
    );
  }
}

function parsePending(raw: string | null): PendingConnect | null {
  if (raw === null) return null;
  const parsed = pendingConnect.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}
