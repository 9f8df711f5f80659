import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { REDIS_CLUSTER } from '@core-email/platform';

// One hash tag per user puts a user's sessions and their index in one slot, so revoking all is one MULTI.
const sessionKey = (userId: string, sid: string) => `sess:{u:${userId}}:${sid}`;
const indexKey = (userId: string) => `sessions:{u:${userId}}`;

/** Server-side sessions in the Redis cluster: a JWT is valid only while its session key exists. */
@Injectable()
export class SessionsRepository {
  constructor(@Inject(REDIS_CLUSTER) private readonly redis: Cluster) {}

  async create(userId: string, sid: string, ttlSeconds: number): Promise<void> {
    await this.redis
      .multi()
      .set(sessionKey(userId, sid), '1', 'EX', ttlSeconds)
      .sadd(indexKey(userId), sid)
      .expire(indexKey(userId), ttlSeconds)
      .exec();
  }

  async exists(userId: string, sid: string): Promise<boolean> {
    return (await this.redis.exists(sessionKey(userId, sid))) === 1;
  }

  async revoke(userId: string, sid: string): Promise<void> {
    await this.redis.multi().del(sessionKey(userId, sid)).srem(indexKey(userId), sid).exec();
  }

  /** Every session of the user except `keep` (the caller's own, when they stay signed in). */
  async revokeAll(userId: string, keep?: string): Promise<void> {
    const sids = (await this.redis.smembers(indexKey(userId))).filter((sid) => sid !== keep);
    if (sids.length === 0) return;
    await this.redis
      .multi()
      .del(...sids.map((sid) => sessionKey(userId, sid)))
      .srem(indexKey(userId), ...sids)
      .exec();
  }
}
