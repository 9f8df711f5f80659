// Graph's per app + mailbox limits seen through the Graph client: more than 4 concurrent requests get 429
// with Retry-After and Graph's throttling body; the SDK's retries absorb a few, N consecutive 429s reach
// the caller; the request budget per window holds too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetryHandlerOptions, type Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';

interface Seen {
  status: number;
  retryAfter: string | null;
  code?: string;
}

describe('throttling through the Graph client', () => {
  let emulator: TestEmulator;
  let client: Client;
  before(async () => {
    emulator = await startTestEmulator({ EMULATOR_THROTTLE_RETRY_AFTER_SECONDS: '1' });
    const { result } = await signIn(emulator);
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => emulator.stop());

  it('answers a fifth concurrent request with 429 and Retry-After; the SDK retries and everything completes', async () => {
    await emulator.control('PUT', '/faults', { latencyMs: 400, pathPattern: '/messages$' });
    const seen: Seen[] = [];
    const options = new RetryHandlerOptions(1, 5, (_delay, _attempt, _req, _opts, response) => {
      const r = response as Response;
      seen.push({ status: r.status, retryAfter: r.headers.get('retry-after') });
      return true;
    });
    const before = await emulator.control<Record<string, number>>(
      'GET',
      '/mailboxes/demo@contoso.test/counters',
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        client.api('/me/messages').select('id').top(5).middlewareOptions([options]).get(),
      ),
    );
    await emulator.control('DELETE', '/faults');
    assert.equal(results.length, 8);
    for (const r of results) assert.equal(r.value.length, 5);
    assert.ok(seen.length >= 4, `at least 4 of 8 concurrent requests were throttled (saw ${seen.length})`);
    for (const s of seen) {
      assert.equal(s.status, 429);
      assert.equal(s.retryAfter, '1');
    }
    const after = await emulator.control<Record<string, number>>(
      'GET',
      '/mailboxes/demo@contoso.test/counters',
    );
    assert.equal(after.highestConcurrency, 4, 'never more than 4 requests ran at once');
    assert.ok(after.throttled - before.throttled >= 4);
  });

  it('throttles only the mailbox a fault names; the others are answered', async () => {
    const other = 'other-throttle@contoso.test';
    await emulator.control('POST', '/mailboxes', { address: other, password: 'pw', displayName: 'Other' });
    const { result } = await signIn(emulator, { username: other, password: 'pw' });
    const otherClient = graphClient(emulator, () => result.accessToken);
    await emulator.control('PUT', '/faults', {
      throttleNext: 1000,
      retryAfterSeconds: 600,
      mailbox: 'DEMO@contoso.test',
    });
    try {
      const err = await expectGraphError(
        client
          .api('/me/mailFolders')
          .middlewareOptions([new RetryHandlerOptions(0, 0)])
          .get(),
      );
      assert.equal(err.statusCode, 429);
      const folders = await otherClient.api('/me/mailFolders').get();
      assert.ok(folders.value.length > 0);
    } finally {
      await emulator.control('DELETE', '/faults');
    }
  });

  it("uses Graph's throttling body", async () => {
    await emulator.control('PUT', '/faults', { latencyMs: 300, pathPattern: '/mailFolders$' });
    const token = (await signIn(emulator)).result.accessToken;
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${emulator.url}/v1.0/me/mailFolders`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    await emulator.control('DELETE', '/faults');
    const throttled = responses.filter((r) => r.status === 429);
    assert.equal(throttled.length, 2);
    const body = (await throttled[0].json()) as {
      error: { code: string; message: string; innerError: Record<string, string> };
    };
    assert.equal(body.error.code, 'ApplicationThrottled');
    assert.equal(body.error.message, 'Application is over its MailboxConcurrency limit.');
    assert.ok(body.error.innerError['request-id']);
    assert.equal(throttled[0].headers.get('retry-after'), '1');
  });

  it('lets 4 consecutive 429s exhaust the SDK retries and reach the caller', async () => {
    await emulator.control('PUT', '/faults', { throttleNext: 4, retryAfterSeconds: 0.2 });
    const err = await expectGraphError(client.api('/me/mailFolders').get());
    assert.equal(err.statusCode, 429);
    assert.equal(err.code, 'TooManyRequests');
    const ok = await client.api('/me/mailFolders').get();
    assert.ok(ok.value.length > 0, 'the next request goes through');
  });

  it('enforces the request budget per window', async () => {
    await emulator.control('PUT', '/throttle', { windowRequests: 3, windowSeconds: 60 });
    try {
      const opts = new RetryHandlerOptions(1, 0);
      for (let i = 0; i < 3; i++) await client.api('/me').middlewareOptions([opts]).get();
      const err = await expectGraphError(client.api('/me').middlewareOptions([opts]).get());
      assert.equal(err.statusCode, 429);
      assert.equal(err.code, 'ApplicationThrottled');
    } finally {
      await emulator.control('PUT', '/throttle', { windowRequests: 10_000, windowSeconds: 600 });
    }
  });
});
