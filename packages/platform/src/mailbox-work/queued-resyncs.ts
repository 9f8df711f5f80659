import { Inject, Injectable } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { REDIS_CLUSTER } from '../redis/tokens';
import { withRedisDeadline } from '../redis/redis-deadline';

/** A queued run the consumer never starts (lost, or its job dead-lettered) stops blocking new ones after this. */
const QUEUED_TTL_MS = 15 * 60_000;
/** The resync endpoint answers 503 (Retry-After) rather than wait longer on Redis. */
const REDIS_DEADLINE_MS = 1_000;

export type ResyncMode = 'incremental' | 'full';

// The slot holds "<mode>:<runId>". A queued full run covers any request; a queued incremental covers an
// incremental one; a full request beside a queued incremental takes the slot (at most two runs queued).
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local mode = string.match(current, '^(%a+):')
  if mode == 'full' or mode == ARGV[1] then return current end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
return false`;
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, -string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Resyncs a user asked for and the consumer has not started yet, one slot per mailbox in the Redis cluster:
 * pressing Resync a thousand times queues one run (the one already queued is the answer), so no user can
 * flood the sync topic and hold up everyone's partitions.
 */
@Injectable()
export class QueuedResyncs {
  constructor(@Inject(REDIS_CLUSTER) private readonly redis: Cluster) {}

  /** The run id already queued that covers `mode`, or null after claiming the slot for `runId`. */
  async claim(userId: string, mode: ResyncMode, runId: string): Promise<string | null> {
    const current = (await withRedisDeadline(this.redis, REDIS_DEADLINE_MS, () =>
      this.redis.eval(CLAIM, 1, keyOf(userId), mode, runId, String(QUEUED_TTL_MS)),
    )) as string | null;
    return current ? current.slice(current.indexOf(':') + 1) : null;
  }

  /** The consumer began `runId`: a request from now on queues a new run (if Redis misses this, the slot expires). */
  async started(userId: string, runId: string): Promise<void> {
    await withRedisDeadline(this.redis, REDIS_DEADLINE_MS, () =>
      this.redis.eval(RELEASE, 1, keyOf(userId), runId),
    );
  }
}

function keyOf(userId: string): string {
  return `resync:{u:${userId}}:queued`;
}
