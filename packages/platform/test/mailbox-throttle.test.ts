// The handler every Graph request passes, on its own: which failures it retries and how often, and the
// bound on what it reads into memory. The next handler stands in for Graph with canned answers (the wire
// behaviour of the same answers is covered against the emulator in the consumer's exchange-online test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { MailboxLimiter } from '../src/microsoft/graph/mailbox-limiter';
import { MailboxThrottleHandler } from '../src/microsoft/graph/mailbox-throttle.handler';

/** Answers each attempt with the next of `answers` (the last one repeats), counting the attempts. */
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

function handlerFor(next: Middleware, overrides: { maxResponseBytes?: number } = {}) {
  const handler = new MailboxThrottleHandler({
    limiter: new MailboxLimiter(4, 10_000, 600_000),
    maxThrottleRetries: 5,
    maxGatewayTimeoutRetries: 1,
    maxResponseBytes: overrides.maxResponseBytes ?? 1024 * 1024,
    onUnauthorized: async () => {},
  });
  handler.setNext(next);
  return handler;
}

const status = (code: number) => () =>
  new Response('{"error":{"code":"UnknownError","message":""}}', { status: code });
const ok = () => new Response('{"value":[]}', { status: 200 });

async function send(handler: MailboxThrottleHandler): Promise<Response> {
  const context = { request: 'https://graph.test/v1.0/me', options: { headers: {} } } as Context;
  await handler.execute(context);
  return context.response!;
}

test('500 and 502 are retried with backoff until Graph answers', async () => {
  const next = graphAnswering([status(502), status(500), ok]);
  const response = await send(handlerFor(next));
  assert.equal(response.status, 200);
  assert.equal(next.attempts, 3);
});

test('a 504 is retried a little, then the caller sees it (the sync makes the page smaller)', async () => {
  const next = graphAnswering([status(504)]);
  const response = await send(handlerFor(next));
  assert.equal(response.status, 504);
  assert.equal(next.attempts, 2, 'one retry (maxGatewayTimeoutRetries), then the 504 stands');
});

test('an answer larger than the limit is not read into memory: a 504 ResponseTooLarge, not asked again', async () => {
  const big = 'x'.repeat(64 * 1024);
  // Without a Content-Length (streamed), and with one that declares it.
  const streamed = () =>
    new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
      { status: 200 },
    );
  const declared = () =>
    new Response(big + big, { status: 200, headers: { 'content-length': String(2 * big.length) } });
  for (const answer of [streamed, declared]) {
    const next = graphAnswering([answer]);
    const response = await send(handlerFor(next, { maxResponseBytes: 100 * 1024 }));
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'ResponseTooLarge');
    assert.equal(next.attempts, 1, 'the same oversized answer is not fetched again');
  }
});

test('an answer within the limit arrives whole, streamed or declared', async () => {
  const body = JSON.stringify({ value: ['a'.repeat(50_000)] });
  const streamed = () =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(body));
          c.close();
        },
      }),
      { status: 200 },
    );
  for (const answer of [streamed, () => new Response(body, { status: 200 })]) {
    const response = await send(handlerFor(graphAnswering([answer]), { maxResponseBytes: 100 * 1024 }));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), body);
  }
});
