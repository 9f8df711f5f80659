// Graph's per-mailbox limits shared by replicas through the real Redis cluster: two SharedMailboxLimits, each
// with its own cluster client (two consumer processes), on the same mailbox. Also the fallback when Redis
// cannot be reached, and the process-wide page slots.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createRedisCluster, RedisNode } from '../src/redis/redis-cluster';
import { stackEnv } from '../src/testing/stack-env';
import { mailboxWaitOf } from '../src/microsoft/graph/graph-waits';
import { MailboxLimiters } from '../src/microsoft/graph/mailbox-limiter';
import { SharedLimitSettings, SharedMailboxLimits } from '../src/microsoft/graph/shared-mailbox-limits';
import { PageSlots } from '../src/mailbox-work/page-slots';

const clients: Cluster[] = [];
let nodes: RedisNode[];

before(() => {
  nodes = stackEnv(process.env)
    .REDIS_CLUSTER_NODES!.split(',')
    .map((hp) => ({ host: hp.split(':')[0], port: Number(hp.split(':')[1]) }));
});

after(() => {
  for (const c of clients) c.disconnect();
});

/** A replica: its own cluster client and its own limits object. */
function replica(settings: Partial<SharedLimitSettings>): SharedMailboxLimits {
  const redis = createRedisCluster(nodes);
  clients.push(redis);
  return new SharedMailboxLimits(redis, {
    maxConcurrency: 4,
    budget: 10_000,
    windowMs: 600_000,
    redisTimeoutMs: 1_000,
    ...settings,
  });
}

test('two replicas on one mailbox never have more than maxConcurrency requests in flight together', async () => {
  const mailbox = randomUUID();
  const replicas = [replica({ maxConcurrency: 3 }), replica({ maxConcurrency: 3 })];
  let inFlight = 0;
  let highest = 0;
  await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const permit = await replicas[i % 2].forMailbox(mailbox).acquire();
      inFlight += 1;
      highest = Math.max(highest, inFlight);
      await sleep(15);
      inFlight -= 1;
      permit.release();
    }),
  );
  // Each replica alone would allow 3: together they must not make 6.
  assert.equal(highest, 3);
});

test('two replicas together start at most the budget per sliding window (on Redis time)', async () => {
  const mailbox = randomUUID();
  const windowMs = 1_500;
  const settings = { budget: 10, windowMs };
  const replicas = [replica(settings), replica(settings)];
  const starts: number[] = [];
  await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const permit = (await replicas[i % 2].forMailbox(mailbox).acquire()) as {
        at?: number;
        release(): void;
      };
      assert.ok(permit.at !== undefined, 'granted by Redis, not by the fallback');
      starts.push(permit.at);
      permit.release();
    }),
  );
  starts.sort((a, b) => a - b);
  for (const [i, t] of starts.entries()) {
    const inWindow = starts.slice(i).filter((s) => s < t + windowMs).length;
    assert.ok(inWindow <= 10, `${inWindow} requests started within ${windowMs} ms from ${t}`);
  }
  // 30 requests at 10 per window need at least two full windows after the first.
  assert.ok(starts[29] - starts[0] >= 2 * windowMs, `spread ${starts[29] - starts[0]} ms`);
});

test('a Retry-After seen by one replica pauses the other; a caller unwilling to wait gets MailboxPausedError', async () => {
  const mailbox = randomUUID();
  const [a, b] = [replica({}), replica({})];
  a.forMailbox(mailbox).pause(1_500);
  await sleep(100); // the pause is written to Redis in the background
  await assert.rejects(b.forMailbox(mailbox).acquire({ maxWaitMs: 500 }), (error: unknown) => {
    const wait = mailboxWaitOf(error);
    assert.ok(wait !== undefined && wait > 1_000 && wait <= 1_500, `wait ${wait}`);
    return true;
  });
  const t0 = Date.now();
  const permit = await b.forMailbox(mailbox).acquire();
  permit.release();
  assert.ok(Date.now() - t0 >= 1_200, `B waited ${Date.now() - t0} ms`);
});

test('the slots of a replica that died come back when their leases lapse', async () => {
  const mailbox = randomUUID();
  const settings = { maxConcurrency: 2, leaseMs: 900 };
  const dead = replica(settings);
  await dead.forMailbox(mailbox).acquire();
  await dead.forMailbox(mailbox).acquire();
  clients[clients.length - 1].disconnect(); // killed: its slots are never released nor renewed
  const alive = replica(settings);
  const t0 = Date.now();
  const permit = await alive.forMailbox(mailbox).acquire();
  permit.release();
  const waited = Date.now() - t0;
  assert.ok(waited >= 500 && waited < 5_000, `waited ${waited} ms for a lapsed slot`);
});

test('Redis unreachable: the process limits on its own within the deadline, and never hangs', async () => {
  const unreachable = createRedisCluster([{ host: '127.0.0.1', port: 1 }]);
  unreachable.on('error', () => undefined); // expected: nothing listens there
  clients.push(unreachable);
  const limits = new SharedMailboxLimits(unreachable, {
    maxConcurrency: 2,
    budget: 10_000,
    windowMs: 600_000,
    redisTimeoutMs: 200,
  });
  const mailbox = randomUUID();
  const t0 = Date.now();
  const first = await limits.forMailbox(mailbox).acquire();
  assert.ok(Date.now() - t0 < 1_000, `first acquire took ${Date.now() - t0} ms`);
  const t1 = Date.now();
  const second = await limits.forMailbox(mailbox).acquire();
  assert.ok(Date.now() - t1 < 50, 'later calls do not wait for Redis again');
  // The local limits still hold: a third request waits for a release.
  let third = false;
  const pending = limits
    .forMailbox(mailbox)
    .acquire()
    .then((p) => {
      third = true;
      return p;
    });
  await sleep(50);
  assert.equal(third, false);
  first.release();
  (await pending).release();
  second.release();
});

test('limiter housekeeping does not scan every mailbox per call (L15)', () => {
  const limiters = new MailboxLimiters(4, 10, 1_000);
  const t0 = Date.now();
  for (let i = 0; i < 50_000; i++) limiters.forMailbox(`m${i}`, t0);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 50_000; i++) limiters.forMailbox(`m${i}`, t0 + 10);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 500, `50,000 calls over 50,000 mailboxes took ${ms} ms`);
  // Idle ones are still forgotten, once a window has passed.
  limiters.forMailbox('fresh', t0 + 5_000);
  assert.equal(limiters.size, 1);
});

test('page slots: a mailbox with no page stored goes first, the others take turns', async () => {
  const slots = new PageSlots(1);
  const order: string[] = [];
  const held = await slots.acquire('busy', false);
  // Each holder records its turn and gives the slot back at once.
  const take = (mailbox: string, first: boolean) =>
    slots.acquire(mailbox, first).then((slot) => {
      order.push(mailbox);
      setImmediate(() => slot.release());
    });
  const waits = [take('a', false), take('a', false), take('a', false), take('b', false), take('b', false)];
  waits.push(take('new', true));
  held.release();
  await Promise.all(waits);
  assert.deepEqual(order, ['new', 'a', 'b', 'a', 'b', 'a']);
});
