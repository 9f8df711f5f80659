// The producer with no reachable Redis at all (every seed refuses connections, as when the cluster is down
// when the API starts): auth fails closed with a quick 503 and Retry-After naming redis, never a hang or a
// 500, and no request leaves a command in ioredis' offline queue. Nothing of the shared stack is touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JwtService } from '@nestjs/jwt';
import type { Cluster } from 'ioredis';
import { REDIS_CLUSTER } from '@core-email/platform';
import { RunningProducer, startProducer } from './support/app';
import { clientAddress } from './support/users';

/** Only to tell a hang from an answer: the 503 comes after REDIS_TIMEOUT_MS (1 s). */
const HANG_MS = 10_000;

let producer: RunningProducer;

before(async () => {
  producer = await startProducer({ REDIS_CLUSTER_NODES: '127.0.0.1:1' });
});

after(async () => {
  await producer?.app.close();
});

async function call(method: string, path: string, init: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': clientAddress() };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const started = Date.now();
  const res = await fetch(`${producer.url}${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(HANG_MS),
  });
  const body = (await res.json()) as { dependency?: string; message?: string; errorId?: string };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: Date.now() - started };
}

function assertRedis503(answer: Awaited<ReturnType<typeof call>>, what: string): void {
  assert.equal(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}`);
  assert.match(answer.retryAfter ?? '', /^\d+$/, `${what}: Retry-After`);
  assert.equal(answer.body.dependency, 'redis', what);
  assert.equal(answer.body.errorId, undefined, `${what}: not reported as an internal error`);
}

test('a valid token: the session check answers 503 with Retry-After, quickly', async (t) => {
  const jwt = new JwtService({ secret: producer.config.env.JWT_SECRET });
  const token = await jwt.signAsync(
    { sub: '00000000-0000-4000-8000-000000000001', sid: '00000000-0000-4000-8000-000000000002' },
    { expiresIn: 600, algorithm: 'HS256' },
  );
  const answers = await Promise.all(
    ['/api/mail/messages', '/api/mail/folders', '/api/me'].map((path) => call('GET', path, { token })),
  );
  for (const answer of answers) assertRedis503(answer, 'authenticated GET');
  t.diagnostic(`503 after ${Math.max(...answers.map((a) => a.ms))} ms at most`);
});

test('sign-up needs no Redis (its throttler counts in the process); log-in answers 503 at the session', async () => {
  const email = `unreachable-${Date.now()}@example.test`;
  const password = 'correct horse battery';
  const signUp = await call('POST', '/api/auth/sign-up', { body: { email, userName: 'B', password } });
  assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
  assertRedis503(await call('POST', '/api/auth/log-in', { body: { email, password } }), 'log-in');
  const wrong = await call('POST', '/api/auth/log-in', { body: { email, password: 'not the password' } });
  assert.equal(wrong.status, 401, 'a wrong password is still refused, Redis or not');
});

test('liveness answers 200 at once without Redis; readiness says error (503)', async () => {
  const live = await call('GET', '/api/health/live');
  assert.equal(live.status, 200);
  assert.deepEqual(live.body, { status: 'ok' });
  assert.ok(live.ms < 1_000, `liveness took ${live.ms} ms`);
  const ready = await call('GET', '/api/health');
  assert.equal(ready.status, 503);
});

test('no request left a command queued for when Redis comes back', () => {
  const redis = producer.app.get<Cluster>(REDIS_CLUSTER);
  assert.notEqual(redis.status, 'ready');
  const queued = (redis as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
  assert.equal(queued, 0);
});
