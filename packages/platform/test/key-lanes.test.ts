// The lanes behind the consumer: one user's messages in order, users side by side, none starved, and the
// committable offset of a partition.
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LaneScheduler, OffsetLog } from '../src/kafka/key-lanes';

const tick = () => new Promise((r) => setImmediate(r));

test("one lane's items run in order; no more lanes than the limit run at once", async () => {
  const done: string[] = [];
  let running = 0;
  let highest = 0;
  const lanes = new LaneScheduler<string>(2, async ([item]) => {
    running += 1;
    highest = Math.max(highest, running);
    await tick();
    done.push(item);
    running -= 1;
  });
  for (const item of ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']) lanes.push(item[0], item);
  while (done.length < 6) await tick();
  assert.equal(highest, 2);
  for (const lane of ['a', 'b', 'c'])
    assert.deepEqual(
      done.filter((d) => d[0] === lane),
      done.filter((d) => d[0] === lane).sort(),
    );
});

test('a lane that keeps receiving does not starve a waiting lane', async () => {
  const done: string[] = [];
  const lanes = new LaneScheduler<string>(1, async ([item]) => {
    await tick();
    done.push(item);
    if (item.startsWith('busy') && done.length < 50) lanes.push('busy', `busy${done.length}`);
  });
  lanes.push('busy', 'busy0');
  lanes.push('busy', 'busy-next');
  lanes.push('quiet', 'quiet');
  while (!done.includes('quiet')) await tick();
  assert.ok(done.indexOf('quiet') <= 2, `the quiet lane ran at position ${done.indexOf('quiet')}`);
});

test('a batching lane takes everything queued behind its running item, in order, up to its batch size', async () => {
  const batches: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lanes = new LaneScheduler<string>(
    1,
    async (items) => {
      batches.push(items);
      if (items[0] === 'a1') await gate;
    },
    () => 3,
  );
  lanes.push('a', 'a1');
  await tick();
  for (const item of ['a2', 'a3', 'a4', 'a5']) lanes.push('a', item);
  release();
  while (batches.flat().length < 5) await tick();
  assert.deepEqual(batches, [['a1'], ['a2', 'a3', 'a4'], ['a5']]);
});

test('the offset log holds only what is unfinished, however old the oldest unfinished offset is', () => {
  const log = new OffsetLog();
  for (const o of [10, 11, 12, 13]) log.add(o);
  log.finish(11);
  log.finish(13);
  assert.equal(log.oldest, 10);
  assert.equal(log.size, 2);
  log.finish(10);
  assert.equal(log.oldest, 12);
  log.finish(12);
  assert.equal(log.oldest, undefined);
  assert.equal(log.size, 0);
  // An offset read again (below ones taken since) is put in its place.
  for (const o of [20, 40]) log.add(o);
  log.add(30);
  log.finish(20);
  assert.equal(log.oldest, 30);

  // One offset stays unfinished while 100,000 after it are added and finished.
  const stuck = new OffsetLog();
  stuck.add(0);
  let most = 0;
  for (let o = 1; o <= 100_000; o++) {
    stuck.add(o);
    if (o > 3) stuck.finish(o - 3);
    most = Math.max(most, stuck.tracked);
  }
  assert.equal(stuck.oldest, 0);
  assert.equal(stuck.size, 4);
  assert.ok(most <= 200, `${most} offsets tracked for 4 unfinished`);
});

test('drop removes queued items only: the running one finishes, the dropped ones never run', async () => {
  const done: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lanes = new LaneScheduler<string>(1, async ([item]) => {
    if (item === 'a1') await gate;
    done.push(item);
  });
  for (const item of ['a1', 'a2', 'b1', 'c1']) lanes.push(item[0], item);
  await tick();
  assert.equal(
    lanes.drop((item) => item !== 'c1'),
    2,
  );
  release();
  while (done.length < 2) await tick();
  await tick();
  assert.deepEqual(done, ['a1', 'c1']);
});

test('a lane whose work turned slow gives its place away: other lanes run beside it, its own items wait', async () => {
  const done: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lanes = new LaneScheduler<string>(
    1,
    async ([item]) => {
      if (item === 'stuck1') await gate;
      done.push(item);
    },
    () => 1,
    { slowAfterMs: 50 },
  );
  lanes.push('stuck', 'stuck1');
  lanes.push('stuck', 'stuck2');
  for (let i = 0; i < 20; i++) lanes.push(`other${i}`, `other${i}`);
  while (done.length < 20) await sleep(10);
  assert.ok(!done.includes('stuck2'), 'the slow lane keeps its order');
  release();
  while (done.length < 22) await tick();
  assert.deepEqual(done.slice(20), ['stuck1', 'stuck2']);
});

test('close lets the running items finish and starts no queued one', async () => {
  const done: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lanes = new LaneScheduler<string>(1, async ([item]) => {
    if (item === 'a1') await gate;
    done.push(item);
  });
  lanes.push('a', 'a1');
  lanes.push('a', 'a2');
  lanes.push('b', 'b1');
  await tick();
  let closed = false;
  const closing = lanes.close().then(() => (closed = true));
  await tick();
  assert.equal(closed, false, 'a1 is still running');
  release();
  await closing;
  assert.deepEqual(done, ['a1']);
});
