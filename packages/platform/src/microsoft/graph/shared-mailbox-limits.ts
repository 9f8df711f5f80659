import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from '../../util/deadline';
import type { GraphWaits, MailboxWaitReason } from './graph-waits';
import { MailboxGate, MailboxLimiter, MailboxLimiters, Permit, permitOf, waitFor } from './mailbox-limiter';

/** The budget window is counted in this many buckets (memory per mailbox: this many hash fields). */
const BUCKETS_PER_WINDOW = 20;
/** A request's concurrency slot lapses after this unless renewed: a killed process's slots come back. */
const LEASE_MS = 10_000;
/** A mailbox at its concurrency limit (maybe on another replica) is asked again after about this long. */
const BUSY_POLL_MS = 25;
/** After a failed or late Redis call the limits are the process's own for this long, then Redis is tried again. */
const FALLBACK_MS = 5_000;

// All keys of a mailbox share a hash tag, so each script runs on one node. Redis' own clock (TIME) is the
// only one used: replicas' clocks never disagree about a window. Status: 1 granted, 2 paused, 3 over budget,
// 4 busy; then the wait in ms and Redis' time.
//
// The budget is counted per bucket of `bucketMs`, and a bucket counts until its END is a window old: every
// request started in the last window is in the sum (a few older ones too), so the real sliding count never
// exceeds the budget, at the price of refusing up to one bucket early.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
local maxc = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local bucketMs = tonumber(ARGV[5])
local pausedUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if pausedUntil > now then return {2, pausedUntil - now, now} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= maxc then return {4, 0, now} end
local counts = redis.call('HGETALL', KEYS[1])
local total = 0
local live = {}
for i = 1, #counts, 2 do
  local b = tonumber(counts[i])
  local c = tonumber(counts[i + 1])
  if (b + 1) * bucketMs + window <= now then
    redis.call('HDEL', KEYS[1], counts[i])
  else
    total = total + c
    live[#live + 1] = {b, c}
  end
end
if total >= budget then
  table.sort(live, function(x, y) return x[1] < y[1] end)
  local excess = total - budget + 1
  local freed = 0
  for _, bc in ipairs(live) do
    freed = freed + bc[2]
    if freed >= excess then return {3, (bc[1] + 1) * bucketMs + window - now, now} end
  end
end
redis.call('HINCRBY', KEYS[1], tostring(math.floor(now / bucketMs)), 1)
redis.call('PEXPIRE', KEYS[1], window + bucketMs)
redis.call('ZADD', KEYS[2], now + lease, ARGV[6])
redis.call('PEXPIRE', KEYS[2], lease)
return {1, 0, now}`;

const RELEASE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

// A later pause never shortens an earlier one; the answer is how long the mailbox is paused for now.
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then
  redis.call('SET', KEYS[1], tostring(now + ms), 'PX', ms)
  return ms
end
return current - now`;

const STATUS: Record<number, 'granted' | MailboxWaitReason | 'busy'> = {
  1: 'granted',
  2: 'paused',
  3: 'budget',
  4: 'busy',
};

export interface SharedLimitSettings {
  maxConcurrency: number;
  budget: number;
  windowMs: number;
  /** The deadline of each Redis call; past it (or on an error) the process's own limiter decides. */
  redisTimeoutMs: number;
  /** How long a concurrency slot outlives a holder that stopped renewing it (LEASE_MS; shorter in tests). */
  leaseMs?: number;
}

/** A grant from Redis: `at` is Redis' clock when it was given (what the limits are measured in). */
export interface SharedPermit extends Permit {
  at?: number;
}

/**
 * Graph's limits are per app and mailbox, whichever replica sends: the concurrency slots (leases that lapse,
 * so a killed process gives them back), the request budget and the Retry-After pause live in the Redis
 * cluster, one set of keys per mailbox. Each process also keeps its own MailboxLimiter per mailbox: every
 * request passes it too (so a replica never exceeds the limits on its own), it mirrors pauses seen in
 * Redis, and it is what decides while Redis cannot answer within `redisTimeoutMs` (then for FALLBACK_MS:
 * a Redis outage never makes Graph work hang, it only makes the limits per process again for a while).
 */
export class SharedMailboxLimits {
  private readonly local: MailboxLimiters;
  private fallbackUntil = 0;
  private readonly bucketMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly redis: Cluster,
    private readonly settings: SharedLimitSettings,
    private readonly onFallback?: (error: unknown) => void,
  ) {
    this.local = new MailboxLimiters(settings.maxConcurrency, settings.budget, settings.windowMs);
    this.bucketMs = Math.max(1, Math.ceil(settings.windowMs / BUCKETS_PER_WINDOW));
    this.leaseMs = settings.leaseMs ?? LEASE_MS;
  }

  forMailbox(userId: string): MailboxGate {
    const local = this.local.forMailbox(userId);
    return {
      acquire: (waits?: GraphWaits) => this.acquire(userId, local, waits ?? {}),
      pause: (ms: number) => this.pause(userId, local, ms),
    };
  }

  private async acquire(userId: string, local: MailboxLimiter, waits: GraphWaits): Promise<SharedPermit> {
    for (;;) {
      const mine = local.take();
      if (!mine.ok) {
        if (mine.reason === 'busy') await local.released();
        else await waitFor(mine.waitMs, mine.reason, waits);
        continue;
      }
      const answer = await this.tryShared(userId);
      if (answer === undefined) return permitOf(() => local.release());
      if (answer.status === 'granted') return this.sharedPermit(userId, local, answer.token, answer.at);
      local.untake();
      if (answer.status === 'busy') {
        await sleep(BUSY_POLL_MS + Math.floor(Math.random() * BUSY_POLL_MS));
        continue;
      }
      // Seen by another replica: this process remembers it too (it holds if Redis goes away meanwhile).
      if (answer.status === 'paused') local.pause(answer.waitMs);
      await waitFor(answer.waitMs, answer.status, waits);
    }
  }

  private pause(userId: string, local: MailboxLimiter, ms: number): void {
    local.pause(ms);
    if (this.usingFallback()) return;
    this.call(this.redis.eval(PAUSE, 1, keysOf(userId).pause, String(ms))).catch((error) =>
      this.fallBack(error),
    );
  }

  /** Undefined: Redis did not answer in time (the process's own limiter decides). */
  private async tryShared(
    userId: string,
  ): Promise<
    | { status: 'granted'; token: string; at: number }
    | { status: MailboxWaitReason; waitMs: number }
    | { status: 'busy' }
    | undefined
  > {
    if (this.usingFallback()) return undefined;
    const keys = keysOf(userId);
    const token = randomUUID();
    const { windowMs, budget, maxConcurrency } = this.settings;
    try {
      const [code, waitMs, at] = (await this.call(
        this.redis.eval(
          ACQUIRE,
          3,
          keys.budget,
          keys.leases,
          keys.pause,
          String(windowMs),
          String(budget),
          String(maxConcurrency),
          String(this.leaseMs),
          String(this.bucketMs),
          token,
        ),
      )) as [number, number, number];
      const status = STATUS[code];
      if (status === 'granted') return { status, token, at };
      if (status === 'busy') return { status };
      return { status, waitMs: Math.max(1, waitMs) };
    } catch (error) {
      this.fallBack(error);
      return undefined;
    }
  }

  private sharedPermit(userId: string, local: MailboxLimiter, token: string, at: number): SharedPermit {
    const { leases } = keysOf(userId);
    // A request can outlast its lease (a large page streaming): renewed while it is held.
    const renewal = setInterval(() => {
      this.call(this.redis.eval(RENEW, 1, leases, token, String(this.leaseMs))).catch(() => undefined);
    }, this.leaseMs / 3);
    renewal.unref();
    let released = false;
    return {
      at,
      release: () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        local.release();
        // Not awaited: a lost release only keeps the slot until its lease lapses.
        this.call(this.redis.eval(RELEASE, 1, leases, token)).catch(() => undefined);
      },
    };
  }

  private usingFallback(): boolean {
    return Date.now() < this.fallbackUntil;
  }

  private fallBack(error: unknown): void {
    if (this.usingFallback()) return;
    this.fallbackUntil = Date.now() + FALLBACK_MS;
    this.onFallback?.(error);
  }

  /** A Redis call with its own deadline (ioredis would queue it while the cluster is unreachable). */
  private call<T>(pending: Promise<T>): Promise<T> {
    return withDeadline(pending, this.settings.redisTimeoutMs, 'Redis');
  }
}

function keysOf(userId: string) {
  const tag = `graph-limits:{m:${userId}}`;
  return { budget: `${tag}:budget`, leases: `${tag}:leases`, pause: `${tag}:pause` };
}
