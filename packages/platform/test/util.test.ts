// The small shared helpers of src/util: deadlines, bounded parallelism and the constant-time compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlinePassed, finishesWithin, withDeadline } from '../src/util/deadline';
import { inParallel } from '../src/util/in-parallel';
import { sameSecret } from '../src/util/same-secret';

test('withDeadline gives the work its answer, or rejects once the deadline passes', async () => {
  assert.equal(await withDeadline(Promise.resolve(7), 50, 'work'), 7);
  await assert.rejects(withDeadline(sleep(200), 20, 'Redis'), (error: unknown) => {
    return error instanceof DeadlinePassed && error.message === 'Redis did not answer within 20 ms';
  });
  const own = new Error('mine');
  await assert.rejects(
    withDeadline(sleep(200), 20, () => own),
    own,
  );
  await assert.rejects(withDeadline(Promise.reject(new Error('failed')), 50, 'work'), /failed/);
});

test('a failure after the deadline is not an unhandled rejection', async () => {
  let unhandled = false;
  const onUnhandled = () => (unhandled = true);
  process.once('unhandledRejection', onUnhandled);
  const late = sleep(30).then(() => Promise.reject(new Error('late')));
  await assert.rejects(withDeadline(late, 5, 'work'), DeadlinePassed);
  await sleep(60);
  process.removeListener('unhandledRejection', onUnhandled);
  assert.equal(unhandled, false);
});

test('finishesWithin says whether the work finished in time, and passes its failure on', async () => {
  assert.equal(await finishesWithin(sleep(5), 200), true);
  assert.equal(await finishesWithin(sleep(200), 10), false);
  await assert.rejects(finishesWithin(Promise.reject(new Error('boom')), 50), /boom/);
});

test('inParallel runs every item with at most `limit` at once', async () => {
  let running = 0;
  let most = 0;
  const done: number[] = [];
  await inParallel([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running += 1;
    most = Math.max(most, running);
    await sleep(5);
    done.push(n);
    running -= 1;
  });
  assert.deepEqual(
    done.sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(most, 3);
  await assert.rejects(
    inParallel([1, 2], 2, async (n) => {
      if (n === 2) throw new Error('two');
    }),
    /two/,
  );
});

test('sameSecret compares whole strings only', () => {
  assert.equal(sameSecret('s3cret', 's3cret'), true);
  assert.equal(sameSecret('s3cret', 's3cre'), false);
  assert.equal(sameSecret('s3cret', 's3cret!'), false);
  assert.equal(sameSecret('s3cret', 'S3cret'), false);
});
