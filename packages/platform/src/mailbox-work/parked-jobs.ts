import { Inject, Injectable } from '@nestjs/common';
import type { MessageOf, TopicName } from '@core-email/contracts';
import type { Cluster } from 'ioredis';
import { REDIS_CLUSTER } from '../redis/tokens';
import { withDeadline } from '../util/deadline';

/** One sorted set for the deployment (parked jobs are few: mailboxes Graph paused for minutes). */
const KEY = 'parked-jobs:{all}';
/** A job taken for re-queuing is offered again after this if its taker died before publishing it. */
const CLAIM_MS = 30_000;
/** Each Redis call's deadline: a caller that cannot park waits in its lane instead (see the sync). */
const REDIS_TIMEOUT_MS = 1_000;

// Due jobs are taken by pushing their time forward (so another replica does not take them too); they are
// forgotten only once published, and only if nobody parked them again meanwhile (same score).
const CLAIM = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], member) end
return due`;
const FORGET = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`;

export interface ParkedJob<T extends TopicName = TopicName> {
  topic: T;
  message: MessageOf<T>;
}

/**
 * Jobs put aside until a given time instead of being waited on in their lane: a sync of a mailbox Graph
 * paused for minutes gives its lane back and comes back on its topic when the pause is over (it continues
 * from its committed links). Kept in the Redis cluster, so a job parked by a process that dies is re-queued
 * by another; a job is re-queued at least once (handlers are idempotent), a second park of the same job
 * only moves its time.
 */
@Injectable()
export class ParkedJobs {
  constructor(@Inject(REDIS_CLUSTER) private readonly redis: Cluster) {}

  async park<T extends TopicName>(topic: T, message: MessageOf<T>, dueAt: number): Promise<void> {
    await withDeadline(
      this.redis.zadd(KEY, String(dueAt), JSON.stringify({ topic, message })),
      REDIS_TIMEOUT_MS,
      'Redis',
    );
  }

  /** When a parked job is due (for tests and the dashboard's curiosity); undefined if not parked. */
  async dueAt<T extends TopicName>(topic: T, message: MessageOf<T>): Promise<number | undefined> {
    const score = await withDeadline(
      this.redis.zscore(KEY, JSON.stringify({ topic, message })),
      REDIS_TIMEOUT_MS,
      'Redis',
    );
    return score === null ? undefined : Number(score);
  }

  async unpark<T extends TopicName>(topic: T, message: MessageOf<T>): Promise<void> {
    await withDeadline(this.redis.zrem(KEY, JSON.stringify({ topic, message })), REDIS_TIMEOUT_MS, 'Redis');
  }

  /**
   * Hands the jobs due by `now` (at most `max`) to `requeue`, and forgets each once it is re-queued. A job
   * whose `requeue` fails stays parked and is offered again after CLAIM_MS. Returns how many were re-queued.
   */
  async requeueDue(requeue: (job: ParkedJob) => Promise<void>, now = Date.now(), max = 100): Promise<number> {
    const claimedUntil = now + CLAIM_MS;
    const due = (await withDeadline(
      this.redis.eval(CLAIM, 1, KEY, String(now), String(max), String(claimedUntil)),
      REDIS_TIMEOUT_MS,
      'Redis',
    )) as string[];
    let requeued = 0;
    for (const member of due) {
      let job: ParkedJob;
      try {
        job = JSON.parse(member) as ParkedJob;
      } catch {
        await withDeadline(this.redis.zrem(KEY, member), REDIS_TIMEOUT_MS, 'Redis'); // not ours: nothing can be done with it
        continue;
      }
      try {
        await requeue(job);
      } catch {
        continue; // offered again once the claim lapses
      }
      await withDeadline(
        this.redis.eval(FORGET, 1, KEY, member, String(claimedUntil)),
        REDIS_TIMEOUT_MS,
        'Redis',
      );
      requeued += 1;
    }
    return requeued;
  }
}
