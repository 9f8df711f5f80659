// The lanes behind the consumer: one user's messages in order, users side by side, none starved, and the
// committable offset of a partition.
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

test('the committable offset is the end of the finished run from the start', () => {
  const log = new OffsetLog();
  for (const o of ['10', '11', '12', '13']) log.add(o);
  assert.equal(log.finish('11'), undefined);
  assert.equal(log.finish('13'), undefined);
  assert.equal(log.finish('10'), '12');
  assert.equal(log.pending, 2);
  assert.equal(log.finish('12'), '14');
  assert.equal(log.pending, 0);
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
