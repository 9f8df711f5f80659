import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { REDIS_CLUSTER } from '../redis/tokens';
import { setTimeout as sleep } from 'node:timers/promises';

// Extends or frees the key only while it still holds our token: a holder whose lease lapsed never touches
// a successor's.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A holder that died frees the mailbox after this, so it bounds how long a consumer crash holds up its
 * mailboxes' mail (30 s did, in the fault suite). Renewed four times per TTL: a lease lapses only if
 * Redis misses three renewals in a row (longer than a master failover takes), or the process stalls as long.
 */
const LEASE_TTL_MS = 10_000;
const RENEW_EVERY_MS = LEASE_TTL_MS / 4;
const POLL_MIN_MS = 50;
const POLL_MAX_MS = 1_000;

export interface HoldOptions {
  /** Called while waiting (a Kafka handler passes its heartbeat so the group does not drop it). */
  heartbeat?: () => Promise<void>;
  /** Give up waiting after this long (MailboxBusyError; the job is retried). */
  maxWaitMs?: number;
}

/** Someone else held the mailbox for longer than the caller was willing to wait. */
export class MailboxBusyError extends Error {
  constructor(userId: string, waitedMs: number) {
    super(`mailbox of user ${userId} stayed busy for ${waitedMs} ms`);
    this.name = 'MailboxBusyError';
  }
}

/**
 * One piece of mail work per mailbox at a time, across every consumer process: a sync run, a real-time pass
 * and an audit each write the mailbox's rows from their own read of Graph, and two of them interleaved can
 * put back a message the other deleted (an older page committed after a newer one). The lease lives in the
 * Redis cluster and is renewed while the work runs; a holder that dies frees it within LEASE_TTL_MS.
 */
@Injectable()
export class MailboxLease {
  constructor(@Inject(REDIS_CLUSTER) private readonly redis: Cluster) {}

  async hold<T>(userId: string, work: () => Promise<T>, options: HoldOptions = {}): Promise<T> {
    const key = `mailbox-lease:{${userId}}`;
    const token = randomUUID();
    await this.acquire(userId, key, token, options);
    const renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, key, token, String(LEASE_TTL_MS)).catch(() => undefined);
    }, RENEW_EVERY_MS);
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  private async acquire(userId: string, key: string, token: string, options: HoldOptions): Promise<void> {
    const started = Date.now();
    let pause = POLL_MIN_MS;
    let lastBeat = started;
    for (;;) {
      if ((await this.redis.set(key, token, 'PX', LEASE_TTL_MS, 'NX')) === 'OK') return;
      const waited = Date.now() - started;
      if (options.maxWaitMs !== undefined && waited >= options.maxWaitMs) {
        throw new MailboxBusyError(userId, waited);
      }
      if (options.heartbeat && Date.now() - lastBeat >= 3_000) {
        await options.heartbeat();
        lastBeat = Date.now();
      }
      await sleep(pause);
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }
}
