import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { captureLines, stackEnv } from '@core-email/platform/testing';
import { loadProducerConfig } from '../src/config/config';
import { RunningProducer, startProducer } from './support/app';
import { apiClient, ApiClient, clientAddress, newUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
const { stream: capture, lines: logLines } = captureLines();

before(async () => {
  producer = await startProducer({ LOG_LEVEL: 'debug', THROTTLE_AUTH_LIMIT: '5' }, capture);
  api = apiClient(producer.url);
});

after(async () => {
  await producer?.app.close();
});

const secret = () => producer.config.env.JWT_SECRET;

describe('sign-up', () => {
  test('creates an account and never returns the password or its hash', async () => {
    const email = `New-${randomUUID()}@Example.test`;
    const res = await api.call('POST', '/api/auth/sign-up', {
      email,
      userName: 'Ada',
      password: 'a long password',
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.user.email, email);
    assert.equal(res.body.user.userName, 'Ada');
    assert.doesNotMatch(JSON.stringify(res.body), /password|hash|\$2[aby]\$/i);
  });

  test('an email already registered, in any case, is a 409 naming the field', async () => {
    const user = await newUser(api);
    const res = await api.call('POST', '/api/auth/sign-up', {
      email: user.email.toUpperCase(),
      userName: 'Twin',
      password: 'another password',
    });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body.message, ['email: is already registered']);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['no body', undefined, /email: is required/],
    ['missing fields', {}, /userName: is required/],
    ['a wrong type', { email: 42, userName: 'x', password: 'long enough' }, /email: must be a string/],
    [
      'a malformed email',
      { email: 'nope', userName: 'x', password: 'long enough' },
      /email: must be an email address/,
    ],
    [
      'a short password',
      { email: 'a@b.test', userName: 'x', password: 'short' },
      /password: must be at least 8/,
    ],
    [
      'a password over 72 bytes',
      { email: 'a@b.test', userName: 'x', password: 'é'.repeat(37) },
      /password: must be at most 72 bytes/,
    ],
    [
      'a huge user name',
      { email: 'a@b.test', userName: 'x'.repeat(100_001), password: 'long enough' },
      /userName: must be at most 100/,
    ],
    ['an unknown field', { email: 'a@b.test', userName: 'x', password: 'long enough', admin: true }, /admin/],
    [
      'a NUL in the user name',
      { email: 'a@b.test', userName: 'Ad\u0000a', password: 'long enough' },
      /userName: must not contain control characters/,
    ],
    [
      'a NUL in the password (bcrypt would ignore what follows)',
      { email: 'a@b.test', userName: 'x', password: 'long\u0000enough' },
      /password: must not contain a NUL/,
    ],
    ['an array body', [1, 2], /body/],
  ];
  for (const [what, body, message] of bad) {
    test(`${what} is a 400 naming the field`, async () => {
      const res = await api.call('POST', '/api/auth/sign-up', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(JSON.stringify(res.body.message), message);
    });
  }

  test('malformed JSON is a 400, and a body over the limit is a 413, never a 500', async () => {
    const malformed = await api.call('POST', '/api/auth/sign-up', '{"email": ');
    assert.equal(malformed.status, 400);
    const huge = await api.call(
      'POST',
      '/api/auth/sign-up',
      JSON.stringify({ userName: 'x'.repeat(2_000_000) }),
    );
    assert.equal(huge.status, 413);
  });
});

describe('log-in and sessions', () => {
  test('the password is used exactly as typed: spaces and case matter', async () => {
    const user = await newUser(api, '  Mixed Case Pass  ');
    assert.equal(
      (await api.call('POST', '/api/auth/log-in', { email: user.email, password: 'Mixed Case Pass' })).status,
      401,
    );
    assert.equal(
      (await api.call('POST', '/api/auth/log-in', { email: user.email, password: '  mixed case pass  ' }))
        .status,
      401,
    );
    const ok = await api.call('POST', '/api/auth/log-in', {
      email: user.email.toUpperCase(),
      password: '  Mixed Case Pass  ',
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.tokenType, 'Bearer');
  });

  test('who am I answers with the caller only', async () => {
    const user = await newUser(api);
    const res = await api.call('GET', '/api/me', undefined, user.token);
    assert.equal(res.status, 200);
    assert.equal(res.body.email, user.email);
    assert.ok(res.body.lastLogin);
  });

  test('no token, a forged token, an expired token and a token with alg none are all 401', async () => {
    const user = await newUser(api);
    const { sid } = jwt.decode(user.token) as { sid: string };
    const forged = jwt.sign({ sub: user.id, sid }, 'a-different-secret-of-at-least-32-chars!!');
    const expired = jwt.sign({ sub: user.id, sid, exp: Math.floor(Date.now() / 1000) - 10 }, secret());
    const none = jwt.sign({ sub: user.id, sid }, '', { algorithm: 'none' });
    for (const token of [undefined, forged, expired, none, 'garbage']) {
      assert.equal((await api.call('GET', '/api/me', undefined, token)).status, 401, `token ${token}`);
    }
  });

  test('log-out revokes the token at once', async () => {
    const user = await newUser(api);
    assert.equal((await api.call('POST', '/api/auth/log-out', undefined, user.token)).status, 204);
    assert.equal((await api.call('GET', '/api/me', undefined, user.token)).status, 401);
  });

  test("a validly signed token naming another user's session is refused", async () => {
    const a = await newUser(api);
    const b = await newUser(api);
    const { sid } = jwt.decode(a.token) as { sid: string };
    const mixed = jwt.sign({ sub: b.id, sid }, secret(), { expiresIn: 600 });
    assert.equal((await api.call('GET', '/api/me', undefined, mixed)).status, 401);
  });

  test('changing the password signs out every other session and keeps the caller signed in', async () => {
    const user = await newUser(api);
    const other = (await api.call('POST', '/api/auth/log-in', { email: user.email, password: user.password }))
      .body.accessToken;
    const wrong = await api.call(
      'PUT',
      '/api/me/password',
      { currentPassword: 'nope nope', newPassword: 'brand new pass' },
      user.token,
    );
    assert.equal(wrong.status, 401);
    const res = await api.call(
      'PUT',
      '/api/me/password',
      { currentPassword: user.password, newPassword: 'brand new pass' },
      user.token,
    );
    assert.equal(res.status, 200);
    assert.equal((await api.call('GET', '/api/me', undefined, other)).status, 401, 'other session revoked');
    assert.equal((await api.call('GET', '/api/me', undefined, user.token)).status, 401, 'old token revoked');
    assert.equal(
      (await api.call('GET', '/api/me', undefined, res.body.accessToken)).status,
      200,
      'new token works',
    );
    assert.equal(
      (await api.call('POST', '/api/auth/log-in', { email: user.email, password: user.password })).status,
      401,
    );
  });

  test('deleting the account removes the user and ends its sessions', async () => {
    const user = await newUser(api);
    assert.equal(
      (await api.call('DELETE', '/api/me', { password: 'wrong password' }, user.token)).status,
      401,
    );
    assert.equal((await api.call('DELETE', '/api/me', { password: user.password }, user.token)).status, 204);
    assert.equal((await api.call('GET', '/api/me', undefined, user.token)).status, 401);
    const rows = await producer.app.get(DataSource).query('SELECT 1 FROM users WHERE id = $1', [user.id]);
    assert.equal(rows.length, 0);
    assert.equal(
      (await api.call('POST', '/api/auth/log-in', { email: user.email, password: user.password })).status,
      401,
    );
  });
});

test('log-in is throttled after repeated failures, with Retry-After', async () => {
  const attacker = apiClient(producer.url, clientAddress());
  const user = await newUser(api);
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 8; i++) {
    const res = await attacker.call('POST', '/api/auth/log-in', {
      email: user.email,
      password: `guess ${i}`,
    });
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get('retry-after');
  }
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(
    statuses.slice(5).every((s) => s === 429),
    statuses.join(','),
  );
  assert.ok(Number(retryAfter) > 0, 'Retry-After says when to come back');
});

test("an account's failed log-ins are limited whatever addresses they come from; other accounts are not", async () => {
  const user = await newUser(api); // a successful log-in: not counted
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 6; i++) {
    // A new client address each time: only the account's own count can stop this.
    const res = await api.call('POST', '/api/auth/log-in', {
      email: user.email.toUpperCase(),
      password: `guess ${i}`,
    });
    statuses.push(res.status);
    retryAfter = res.headers.get('retry-after');
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  assert.ok(Number(retryAfter) > 0, 'Retry-After says when the account may try again');
  const right = await api.call('POST', '/api/auth/log-in', { email: user.email, password: user.password });
  assert.equal(right.status, 429, 'the account stays locked for the window, right password or not');
  const other = await newUser(api);
  const res = await api.call('POST', '/api/auth/log-in', { email: other.email, password: other.password });
  assert.equal(res.status, 200, "another account's log-in is not held up");
});

test('password checks of a signed-in user are limited per user (change password, delete account)', async () => {
  const user = await newUser(api);
  const wrongChange = { currentPassword: 'wrong wrong', newPassword: 'whatever whatever' };
  const statuses: number[] = [];
  // A new client address for every call: the limit is the user's.
  for (let i = 0; i < 6; i++)
    statuses.push((await api.call('PUT', '/api/me/password', wrongChange, user.token)).status);
  assert.deepEqual(
    statuses,
    [401, 401, 401, 401, 401, 429],
    'refused before bcrypt runs once the limit is met',
  );
  const deletes: number[] = [];
  for (let i = 0; i < 6; i++)
    deletes.push((await api.call('DELETE', '/api/me', { password: 'wrong wrong' }, user.token)).status);
  assert.deepEqual(deletes, [401, 401, 401, 401, 401, 429]);
  const other = await newUser(api);
  const res = await api.call('PUT', '/api/me/password', wrongChange, other.token);
  assert.equal(res.status, 401, 'another user is not limited by this one');
});

test('a log-in that checked the old password while it was being changed gets no session that survives', async () => {
  const user = await newUser(api);
  const change = api.call(
    'PUT',
    '/api/me/password',
    { currentPassword: user.password, newPassword: 'the new password' },
    user.token,
  );
  // Log-ins with the old password timed to read the row before the change commits and finish after it.
  const logIns = [150, 300, 450].map(async (ms) => {
    await new Promise((r) => setTimeout(r, ms));
    return api.call('POST', '/api/auth/log-in', { email: user.email, password: user.password });
  });
  assert.equal((await change).status, 200);
  for (const res of await Promise.all(logIns)) {
    if (res.status !== 200) {
      assert.equal(res.status, 401);
      continue;
    }
    const me = await api.call('GET', '/api/me', undefined, res.body.accessToken);
    assert.equal(me.status, 401, 'a session opened with the old password outlived the change');
  }
});

test('TRUST_PROXY takes hop counts, true/false and address lists; anything else names the variable', () => {
  const load = (TRUST_PROXY: string) =>
    loadProducerConfig({ ...stackEnv(process.env), TRUST_PROXY }).env.TRUST_PROXY;
  assert.equal(load('1'), 1);
  assert.equal(load('true'), true);
  assert.equal(load('loopback, 10.0.0.0/8'), 'loopback, 10.0.0.0/8');
  assert.throws(() => load('my balancer'), /TRUST_PROXY: expected a hop count/);
});

test('no password or token appears in the logs', async () => {
  const user = await newUser(api, 'a very secret password');
  await api.call('GET', '/api/me', undefined, user.token);
  await api.call('POST', '/api/auth/log-in', { email: user.email, password: 'a very wrong password' });
  const logs = logLines.join('');
  assert.ok(logs.length > 0, 'the app logged its requests');
  assert.ok(!logs.includes('a very secret password'));
  assert.ok(!logs.includes('a very wrong password'));
  assert.ok(!logs.includes(user.token));
});
