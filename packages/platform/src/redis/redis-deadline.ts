import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from 'ioredis';
import { DependencyUnavailable } from '../errors/dependency-unavailable';
import { withDeadline } from '../util/deadline';
import { readFromReplica } from './redis-cluster';

/** What a 503 caused by Redis tells the client: a failover is over within a few seconds. */
export const REDIS_RETRY_AFTER_SECONDS = 2;

/** Pause between two tries of a call that failed fast (connection closed, cluster down) within its deadline. */
const RETRY_PAUSE_MS = 50;

// Reply errors that say "this node cannot answer now", not "the command is wrong".
const TRANSIENT_REPLY = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN|LOADING|MASTERDOWN|READONLY|OOM|BUSY|NOREPLICAS)\b/;

class RedisDeadlinePassed extends Error {
  constructor(ms: number) {
    super(`no answer from Redis within ${ms} ms`);
    this.name = 'RedisDeadlinePassed';
  }
}

/**
 * Whether an error means Redis could not be reached or could not answer (retry later), as opposed to a
 * wrong command or a bug: ioredis' connection errors ("Connection is closed", "Too many Cluster
 * redirections", ClusterAllFailedError, ...) and the transient reply errors.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof DependencyUnavailable || error instanceof RedisDeadlinePassed) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return TRANSIENT_REPLY.test(error.message);
  return !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
}

/**
 * Runs `call` (Redis commands) within `deadlineMs`, or throws DependencyUnavailable('redis'). While the
 * cluster is not ready (all nodes down, reconnecting, still starting) the call is not made: it would sit
 * in ioredis' offline queue, which only empties when Redis is back. A call that fails fast with a
 * connection error is tried again until the deadline; one that outlives it is abandoned (ioredis settles
 * it later; the result is dropped), so a non-idempotent call may still take effect after the 503.
 */
export async function withRedisDeadline<T>(
  redis: Cluster,
  deadlineMs: number,
  call: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown = new RedisDeadlinePassed(deadlineMs);
  for (;;) {
    try {
      if (redis.status !== 'ready') await within(nextReady(redis), deadline - Date.now(), deadlineMs);
      return await within(call(), deadline - Date.now(), deadlineMs);
    } catch (error) {
      if (!isRedisUnavailable(error)) throw error;
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= RETRY_PAUSE_MS) throw redisUnavailable(lastError);
    await sleep(RETRY_PAUSE_MS);
  }
}

export interface ReplicaFallback {
  /** The whole read, replica included; past it DependencyUnavailable('redis'). */
  deadlineMs: number;
  /** How long the master has to answer before a replica is asked too. */
  hedgeAfterMs: number;
  /**
   * Whether a replica's answer may win at once. One that may not (e.g. "no such session", which a replica
   * says about a session created a few milliseconds ago) counts only when the master then fails too.
   */
  replicaWins?: (value: unknown) => boolean;
}

/**
 * A read-only command asked of the key's master and, when the master fails or has not answered within
 * `hedgeAfterMs` (killed, its replica not yet promoted), of a replica too; the first answer wins. For reads
 * where a replica's lag (milliseconds) is acceptable while the master is gone, such as "does this session
 * exist": a master failover then costs the caller `hedgeAfterMs`, not the ~3 s of the failover. A replica
 * answer that `replicaWins` refuses is used only if the master fails (not merely slow: then the deadline).
 */
export function readWithReplicaFallback<T>(
  redis: Cluster,
  timing: ReplicaFallback,
  name: string,
  args: (string | number)[],
): Promise<T> {
  return withRedisDeadline(
    redis,
    timing.deadlineMs,
    () =>
      new Promise<T>((resolve, reject) => {
        let pending = 0;
        let hedged = false;
        let settled = false;
        let heldBack: { value: T } | undefined;
        const answered = (value: T) => {
          pending -= 1;
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        };
        const failed = (error: unknown) => {
          pending -= 1;
          if (settled) return;
          if (!hedged) hedge();
          if (pending > 0) return;
          settled = true;
          if (heldBack) resolve(heldBack.value);
          else reject(error);
        };
        const ask = (read: () => Promise<T>, fromReplica: boolean) => {
          pending += 1;
          read().then((value) => {
            if (!fromReplica || (timing.replicaWins?.(value) ?? true)) return answered(value);
            heldBack = { value };
            failed(new Error('the replica answer waits for the master'));
          }, failed);
        };
        const hedge = () => {
          hedged = true;
          clearTimeout(timer);
          // Not ready: the replica read would only wait in the offline queue.
          if (!settled && redis.status === 'ready') ask(() => readFromReplica<T>(redis, name, args), true);
        };
        const timer = setTimeout(() => {
          if (!settled && !hedged) hedge();
        }, timing.hedgeAfterMs);
        ask(() => redis.call(name, ...args) as Promise<T>, false);
      }),
  );
}

function redisUnavailable(cause: unknown): DependencyUnavailable {
  if (cause instanceof DependencyUnavailable) return cause;
  return new DependencyUnavailable('redis', REDIS_RETRY_AFTER_SECONDS, { cause });
}

/** One shared wait per client for its next 'ready', however many requests wait on it. */
const readyWaits = new WeakMap<Cluster, Promise<void>>();

function nextReady(redis: Cluster): Promise<void> {
  let wait = readyWaits.get(redis);
  if (!wait) {
    wait = new Promise<void>((resolve) =>
      redis.once('ready', () => {
        readyWaits.delete(redis);
        resolve();
      }),
    );
    readyWaits.set(redis, wait);
  }
  return wait;
}

async function within<T>(work: Promise<T>, ms: number, deadlineMs: number): Promise<T> {
  work.catch(() => undefined); // settled after the deadline: not an unhandled rejection
  if (ms <= 0) throw new RedisDeadlinePassed(deadlineMs);
  return withDeadline(work, ms, () => new RedisDeadlinePassed(deadlineMs));
}
