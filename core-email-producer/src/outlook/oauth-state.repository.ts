import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { z } from 'zod';
import { REDIS_CLUSTER } from '@core-email/platform';

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

/** The OAuth `state` values in flight: written at connect, taken exactly once at the redirect. */
@Injectable()
export class OAuthStateRepository {
  constructor(@Inject(REDIS_CLUSTER) private readonly redis: Cluster) {}

  async save(state: string, pending: PendingConnect, ttlSeconds: number): Promise<void> {
    await this.redis.set(key(state), JSON.stringify(pending), 'EX', ttlSeconds);
  }

  /** GETDEL: of two requests with one state, only one gets it. Unknown, used or expired → null. */
  async take(state: string): Promise<PendingConnect | null> {
    const raw = await this.redis.getdel(key(state));
    if (raw === null) return null;
    const parsed = pendingConnect.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }
}
