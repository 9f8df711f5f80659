// What a request asks of the throttle handler while its mailbox must wait (GraphWaits): a caller unwilling
// to wait out a long Retry-After gets MailboxPausedError without the request being sent again, and every wait
// runs through the caller's `around` (the sync gives its page slot back there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { MiddlewareControl } from '@microsoft/microsoft-graph-client/lib/src/middleware/MiddlewareControl';
import { GraphWaitOption, mailboxWaitOf } from '../src/microsoft/graph/graph-waits';
import { MailboxLimiter } from '../src/microsoft/graph/mailbox-limiter';
import { MailboxThrottleHandler } from '../src/microsoft/graph/mailbox-throttle.handler';

function graphAnswering(answers: Array<() => Response>): Middleware & { attempts: number } {
  const next = {
    attempts: 0,
    async execute(context: Context) {
      const answer = answers[Math.min(next.attempts, answers.length - 1)];
      next.attempts += 1;
      context.response = answer();
    },
    setNext() {},
  };
  return next;
}

function send(next: Middleware, option?: GraphWaitOption, waits?: { maxWaitMs?: number }) {
  const handler = new MailboxThrottleHandler({
    limiter: new MailboxLimiter(4, 10_000, 600_000),
    waits,
    maxThrottleRetries: 5,
    maxGatewayTimeoutRetries: 1,
    maxResponseBytes: 1024 * 1024,
    onUnauthorized: async () => {},
  });
  handler.setNext(next);
  const context = {
    request: 'https://graph.test/v1.0/me',
    options: { headers: {} },
    middlewareControl: new MiddlewareControl(option ? [option] : []),
  } as Context;
  return handler.execute(context).then(() => context.response!);
}

const throttled = (seconds: number) => () =>
  new Response('{"error":{"code":"TooManyRequests","message":""}}', {
    status: 429,
    headers: { 'retry-after': String(seconds) },
  });
const ok = () => new Response('{"value":[]}', { status: 200 });

test('a Retry-After longer than the caller waits: MailboxPausedError, and the request is not sent again', async () => {
  const next = graphAnswering([throttled(600), ok]);
  await assert.rejects(send(next, undefined, { maxWaitMs: 1_000 }), (error: unknown) => {
    // The pause began when the 429 came back; a millisecond or two has gone since.
    const wait = mailboxWaitOf(error)!;
    assert.ok(wait > 590_000 && wait <= 600_000, `wait ${wait}`);
    return true;
  });
  assert.equal(next.attempts, 1);
});

test('a short Retry-After is waited out, through the request’s own `around`', async () => {
  const next = graphAnswering([throttled(0.2), ok]);
  const waited: number[] = [];
  const option = new GraphWaitOption({
    maxWaitMs: 1_000,
    around: async (wait) => {
      const t0 = Date.now();
      await wait();
      waited.push(Date.now() - t0);
    },
  });
  const response = await send(next, option);
  assert.equal(response.status, 200);
  assert.equal(next.attempts, 2);
  assert.equal(waited.length, 1);
  assert.ok(waited[0] >= 150, `waited ${waited[0]} ms`);
});
