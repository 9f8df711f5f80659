// The per-mailbox gate on its own: concurrency, request budget and Retry-After pauses, with real timers.
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MailboxLimiter } from '../src/microsoft/graph/mailbox-limiter';
import { retryAfterMs } from '../src/microsoft/graph/retry-after';

async function through(limiter: MailboxLimiter, work: () => Promise<void>): Promise<void> {
  await limiter.acquire();
  try {
    await work();
  } finally {
    limiter.release();
  }
}

test('never more than maxConcurrency requests in flight', async () => {
  const limiter = new MailboxLimiter(4, 10_000, 600_000);
  let now = 0;
  let highest = 0;
  await Promise.all(
    Array.from({ length: 40 }, () =>
      through(limiter, async () => {
        now += 1;
        highest = Math.max(highest, now);
        await sleep(5);
        now -= 1;
      }),
    ),
  );
  assert.equal(highest, 4);
});

test('the budget holds requests back until the window slides', async () => {
  const limiter = new MailboxLimiter(4, 5, 300);
  const started: number[] = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 10 }, () => through(limiter, async () => void started.push(Date.now() - t0))),
  );
  assert.equal(started.filter((t) => t < 250).length, 5);
  assert.ok(
    started.every((t, i) => i < 5 || t >= 290),
    `late starts: ${started.join(',')}`,
  );
});

test('a pause stops every caller of the mailbox until it is over', async () => {
  const limiter = new MailboxLimiter(4, 10_000, 600_000);
  limiter.pause(300);
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 3 }, () => through(limiter, async () => undefined)));
  assert.ok(Date.now() - t0 >= 290);
});

test('Retry-After: seconds, fractions, HTTP dates, garbage', () => {
  assert.equal(retryAfterMs('2', 1), 2000);
  assert.equal(retryAfterMs('2.128', 1), 2128);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', 1, now), 5000);
  assert.equal(retryAfterMs('soon', 3), 4000);
  assert.equal(retryAfterMs(null, 1), 1000);
  assert.equal(retryAfterMs('999999', 1), 600_000);
});
