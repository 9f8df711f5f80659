// The Outlook connect flow over HTTP as a browser drives it, against the real stack and the graph emulator.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import { REDIS_CLUSTER, TokenCipher, tokenBinding } from '@core-email/platform';
import { captureLines, eventually, stackEnv } from '@core-email/platform/testing';
import { RunningProducer, startProducer } from './support/app';
import {
  authorizeAndSignIn,
  connectOutlook,
  EMULATOR_ORIGIN,
  followRedirect,
  newMailbox,
} from './support/outlook';
import { apiClient, ApiClient, newUser, TestUser } from './support/users';

const DASHBOARD = 'http://dashboard.test:4173';
const DEMO = { username: 'demo@contoso.test', password: 'demo-password' };

let producer: RunningProducer;
let api: ApiClient;
let db: DataSource;
/** Every response body the API gave and every log line in this file: none may contain a Microsoft token. */
const bodies: string[] = [];
const { stream: capture, lines: logLines } = captureLines();

before(async () => {
  producer = await startProducer({ DASHBOARD_URL: DASHBOARD, LOG_LEVEL: 'debug' }, capture);
  db = producer.app.get(DataSource);
  const raw = apiClient(producer.url);
  api = {
    async call(...args) {
      const res = await raw.call(...args);
      bodies.push(JSON.stringify(res.body ?? ''));
      return res;
    },
  };
  // The demo mailbox can link to one user only; earlier runs (or a local demo) may hold it.
  await db.query(`DELETE FROM outlook_accounts WHERE address = $1`, [DEMO.username]);
});

after(async () => {
  await producer?.app.close();
});

async function rowOf(userId: string) {
  const [row] = await db.query(`SELECT * FROM outlook_accounts WHERE user_id = $1`, [userId]);
  return row as Record<string, unknown> | undefined;
}

async function connection(user: TestUser) {
  const res = await api.call('GET', '/api/outlook', undefined, user.token);
  assert.equal(res.status, 200);
  return res.body;
}

function outcome(location: URL | null): string | null {
  assert.ok(location, 'a redirect');
  assert.equal(location.origin, DASHBOARD);
  const result = location.searchParams.get('outlook');
  return result === 'connected' ? 'connected' : `error:${location.searchParams.get('reason')}`;
}

describe('connecting Outlook', () => {
  test('connect → Microsoft sign-in → our redirect → dashboard "connected" as the demo mailbox', async () => {
    const kafka = new Kafka({
      brokers: stackEnv(process.env).KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    });
    const received: Array<{ key: string; value: Record<string, unknown> }> = [];
    const consumer = kafka.consumer({ groupId: `outlook-test-${Date.now()}`, maxWaitTimeInMs: 200 });
    const ready = new Promise<void>((r) => consumer.on(consumer.events.FETCH, () => r()));
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.syncEmail, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: String(message.key), value: JSON.parse(String(message.value)) });
      },
    });
    await ready;
    try {
      const user = await newUser(api);
      assert.deepEqual(await connection(user), { status: 'not_connected' });

      const started = await api.call('POST', '/api/outlook/connect', undefined, user.token);
      assert.equal(started.status, 200);
      const authorize = new URL(started.body.authorizeUrl);
      assert.equal(authorize.origin, EMULATOR_ORIGIN);
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(authorize.searchParams.get('prompt'), 'select_account');
      assert.equal(
        authorize.searchParams.get('redirect_uri'),
        'http://localhost:3000/api/user/outlook/redirect',
      );
      // Read-only: nothing here changes mail, so a leaked token cannot change or delete it either.
      const scopes = authorize.searchParams.get('scope')!.split(' ');
      assert.ok(
        scopes.some((s) => /\/Mail\.Read$|^Mail\.Read$/.test(s)),
        scopes.join(' '),
      );
      assert.ok(!scopes.some((s) => /Mail\.(ReadWrite|Send)/.test(s)), scopes.join(' '));
      assert.ok(authorize.searchParams.get('state')!.length >= 43);
      const ttl = await producer.app
        .get<Cluster>(REDIS_CLUSTER)
        .ttl(`outlook:oauth-state:${authorize.searchParams.get('state')}`);
      assert.ok(ttl > 590 && ttl <= 600, `state TTL ${ttl}`);

      const location = await connectOutlook(producer, api, user, DEMO);
      assert.equal(outcome(location), 'connected');
      const state = await connection(user);
      assert.equal(state.status, 'connected');
      assert.equal(state.address, DEMO.username);
      assert.ok(!Number.isNaN(Date.parse(state.connectedAt)));

      const message = await waitFor(() => received.find((m) => m.key === user.id));
      assert.equal(message.value.userId, user.id);
      assert.equal(message.value.mode, 'full');
      assert.equal(message.value.reason, 'connected');
    } finally {
      await consumer.disconnect();
    }
  });

  test('tokens are ciphertext at rest and decrypt only with the right key', async () => {
    const user = await newUser(api);
    assert.equal(outcome(await connectOutlook(producer, api, user, await newMailbox())), 'connected');
    const row = (await rowOf(user.id))!;
    const keyId = producer.config.env.TOKEN_ENCRYPTION_KEYS[0].split(':')[0];
    for (const column of ['access_token', 'token_cache'] as const) {
      assert.match(String(row[column]), new RegExp(`^v2\\.${keyId}\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    }
    const cipher = TokenCipher.fromConfig(producer.config.env.TOKEN_ENCRYPTION_KEYS);
    const accessToken = cipher.decrypt(String(row.access_token), tokenBinding(user.id, 'access_token'));
    const cache = JSON.parse(cipher.decrypt(String(row.token_cache), tokenBinding(user.id, 'token_cache')));
    const refreshToken = (Object.values(cache.RefreshToken)[0] as { secret: string }).secret;
    const rowText = JSON.stringify(row);
    assert.ok(
      !rowText.includes(accessToken) && !rowText.includes(refreshToken),
      'no plaintext token in the row',
    );
    // The stored access token is the real thing: Graph accepts it.
    const me = await fetch(`${EMULATOR_ORIGIN}/v1.0/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(me.status, 200);

    const wrongKey = TokenCipher.fromConfig([`${keyId}:${randomBytes(32).toString('base64')}`]);
    assert.throws(
      () => wrongKey.decrypt(String(row.access_token), tokenBinding(user.id, 'access_token')),
      /authentication failed/,
    );
    assert.throws(
      () => wrongKey.decrypt(String(row.token_cache), tokenBinding(user.id, 'token_cache')),
      /authentication failed/,
    );

    for (const body of bodies) {
      assert.ok(!body.includes(accessToken) && !body.includes(refreshToken), 'a response carried a token');
    }
  });

  test('cancelling at Microsoft shows access_denied on the dashboard and stores nothing', async () => {
    const user = await newUser(api);
    const location = await connectOutlook(producer, api, user, { ...(await newMailbox()), action: 'cancel' });
    assert.equal(outcome(location), 'error:access_denied');
    assert.equal(await rowOf(user.id), undefined);
    assert.deepEqual(await connection(user), { status: 'not_connected' });
  });

  test('re-connecting the same Microsoft account updates the link', async () => {
    const user = await newUser(api);
    const mailbox = await newMailbox();
    assert.equal(outcome(await connectOutlook(producer, api, user, mailbox)), 'connected');
    const first = (await rowOf(user.id))!;
    assert.equal(outcome(await connectOutlook(producer, api, user, mailbox)), 'connected');
    const second = (await rowOf(user.id))!;
    assert.equal(second.id, first.id);
    assert.equal(second.cache_version, Number(first.cache_version) + 1);
    assert.notEqual(second.access_token, first.access_token);
  });

  test('a Microsoft account linked to another user is refused, and both users stay as they were', async () => {
    const [owner, other] = [await newUser(api), await newUser(api)];
    const mailbox = await newMailbox();
    assert.equal(outcome(await connectOutlook(producer, api, owner, mailbox)), 'connected');
    const before = (await rowOf(owner.id))!;
    assert.equal(
      outcome(await connectOutlook(producer, api, other, mailbox)),
      'error:account_linked_elsewhere',
    );
    assert.equal(await rowOf(other.id), undefined);
    assert.deepEqual(await rowOf(owner.id), before);
  });

  test('once its user disconnects it, a Microsoft account can be linked by another user', async () => {
    const [first, second] = [await newUser(api), await newUser(api)];
    const mailbox = await newMailbox();
    assert.equal(outcome(await connectOutlook(producer, api, first, mailbox)), 'connected');
    assert.equal((await api.call('DELETE', '/api/outlook', undefined, first.token)).status, 204);
    assert.equal(outcome(await connectOutlook(producer, api, second, mailbox)), 'connected');
    assert.equal((await connection(second)).address, mailbox.username);
    // The first user cannot take it back while the second holds it.
    assert.equal(
      outcome(await connectOutlook(producer, api, first, mailbox)),
      'error:account_linked_elsewhere',
    );
  });
});

describe('the state and the code', () => {
  test('a reused state is rejected and changes nothing', async () => {
    const user = await newUser(api);
    const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
    assert.equal(outcome((await followRedirect(redirectUrl, cookie)).location), 'connected');
    const before = await rowOf(user.id);
    const replay = await followRedirect(redirectUrl, cookie);
    assert.equal(replay.status, 302);
    assert.equal(outcome(replay.location), 'error:invalid_state');
    assert.deepEqual(await rowOf(user.id), before);
  });

  test('a forged state is rejected and stores nothing', async () => {
    const user = await newUser(api);
    const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
    const forged = new URL(redirectUrl);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    assert.equal(outcome((await followRedirect(forged.toString(), cookie)).location), 'error:invalid_state');
    assert.equal(await rowOf(user.id), undefined);
    // The forged attempt did not burn the real state either: it still completes.
    assert.equal(outcome((await followRedirect(redirectUrl, cookie)).location), 'connected');
  });

  test('an expired state is rejected and stores nothing', async () => {
    const user = await newUser(api);
    const { redirectUrl, state, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
    // Redis ends the key at its TTL; make that moment now.
    await producer.app.get<Cluster>(REDIS_CLUSTER).pexpire(`outlook:oauth-state:${state}`, 1);
    await sleep(20);
    assert.equal(outcome((await followRedirect(redirectUrl, cookie)).location), 'error:invalid_state');
    assert.equal(await rowOf(user.id), undefined);
  });

  test('a state whose session was logged out is rejected and stores nothing', async () => {
    const user = await newUser(api);
    const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
    const out = await api.call('POST', '/api/auth/log-out', undefined, user.token);
    assert.ok(out.status < 300, `log-out: ${out.status}`);
    assert.equal(outcome((await followRedirect(redirectUrl, cookie)).location), 'error:invalid_state');
    assert.equal(await rowOf(user.id), undefined);
  });

  test("another user's state is rejected in a browser that did not start it, and stores nothing", async () => {
    const [asker, victim] = [await newUser(api), await newUser(api)];
    // The asker starts a connect and gets the victim to complete it with the victim's own mailbox:
    // the victim's browser lacks the asker's binding cookie, so nothing is linked to anyone.
    const victimMailbox = await newMailbox();
    const { redirectUrl } = await authorizeAndSignIn(producer, api, asker, victimMailbox);
    const victimsBrowser = await authorizeAndSignIn(producer, api, victim, await newMailbox());
    assert.equal(
      outcome((await followRedirect(redirectUrl, victimsBrowser.cookie)).location),
      'error:invalid_state',
    );
    assert.equal(outcome((await followRedirect(redirectUrl)).location), 'error:invalid_state');
    assert.equal(await rowOf(asker.id), undefined);
    assert.equal(await rowOf(victim.id), undefined);
  });

  test('the binding cookie is HttpOnly, SameSite=Lax and scoped to the redirect path', async () => {
    const user = await newUser(api);
    const started = await api.call('POST', '/api/outlook/connect', undefined, user.token);
    const setCookie = started.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^core_email_oauth=[\w-]{40,};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\/api\/user\/outlook/);
  });

  test('a redirect from a browser without the binding neither ends nor spoils the connect in progress', async () => {
    const user = await newUser(api);
    const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
    // Someone who learnt the state (or forces a navigation to it) without the starting browser's cookie.
    const forged = await fetch(redirectUrl, { redirect: 'manual' });
    assert.equal(outcome(new URL(forged.headers.get('location')!)), 'error:invalid_state');
    assert.equal(
      forged.headers.get('set-cookie'),
      null,
      "the forged redirect must not clear anyone's cookie",
    );
    const withError = new URL(redirectUrl);
    withError.searchParams.delete('code');
    withError.searchParams.set('error', 'access_denied');
    assert.equal(outcome((await followRedirect(withError.toString())).location), 'error:invalid_state');
    // The user's own browser still completes it.
    assert.equal(outcome((await followRedirect(redirectUrl, cookie)).location), 'connected');
  });

  test('a replayed authorization code is rejected (redeem_failed) and changes nothing', async () => {
    const user = await newUser(api);
    const mailbox = await newMailbox();
    const first = await authorizeAndSignIn(producer, api, user, mailbox);
    assert.equal(outcome((await followRedirect(first.redirectUrl, first.cookie)).location), 'connected');
    const before = await rowOf(user.id);
    // A fresh, valid state with the old code: only the code is wrong now.
    const second = await authorizeAndSignIn(producer, api, user, mailbox);
    const replay = new URL(second.redirectUrl);
    replay.searchParams.set('code', new URL(first.redirectUrl).searchParams.get('code')!);
    assert.equal(
      outcome((await followRedirect(replay.toString(), second.cookie)).location),
      'error:redeem_failed',
    );
    assert.deepEqual(await rowOf(user.id), before);
  });

  test('a malformed redirect query is a 400 naming the parameter, never a 500', async () => {
    const cases: Array<[string, RegExp]> = [
      ['code=abc', /state/],
      ['state=', /state/],
      ['state=a&state=b&code=c', /state: must be a single string/],
      [`state=s&code=${'x'.repeat(5000)}`, /code: is too long/],
      ['state=s', /code or error is required/],
      ['state=s&error=%3Cscript%3E', /error: must be an OAuth error code/],
      ['state=s&code[x]=1', /code or error is required/],
    ];
    for (const [query, message] of cases) {
      const res = await api.call('GET', `/api/user/outlook/redirect?${query}`);
      assert.equal(res.status, 400, query);
      assert.match(JSON.stringify(res.body.message), message, query);
    }
  });
});

describe('who can see and change a connection', () => {
  test("user A cannot read or change B's connection; every route needs a live session", async () => {
    const [a, b] = [await newUser(api), await newUser(api)];
    assert.equal(outcome(await connectOutlook(producer, api, b, await newMailbox())), 'connected');
    assert.deepEqual(await connection(a), { status: 'not_connected' });
    assert.equal((await api.call('DELETE', '/api/outlook', undefined, a.token)).status, 204);
    assert.equal((await connection(b)).status, 'connected');
    for (const [method, path] of [
      ['GET', '/api/outlook'],
      ['POST', '/api/outlook/connect'],
      ['DELETE', '/api/outlook'],
    ]) {
      assert.equal((await api.call(method, path)).status, 401, `${method} ${path}`);
      assert.equal((await api.call(method, path, undefined, 'not-a-jwt')).status, 401, `${method} ${path}`);
    }
  });

  test('disconnecting removes the tokens and keeps the account as disconnected', async () => {
    const user = await newUser(api);
    const mailbox = await newMailbox();
    assert.equal(outcome(await connectOutlook(producer, api, user, mailbox)), 'connected');
    assert.equal((await api.call('DELETE', '/api/outlook', undefined, user.token)).status, 204);
    const state = await connection(user);
    assert.equal(state.status, 'disconnected');
    assert.equal(state.address, mailbox.username);
    const row = (await rowOf(user.id))!;
    assert.equal(row.access_token, null);
    assert.equal(row.token_cache, null);
    // Connecting again brings it back.
    assert.equal(outcome(await connectOutlook(producer, api, user, mailbox)), 'connected');
  });
});

describe('account deletion', () => {
  test('deleting the account removes its mailbox link and tokens', async () => {
    const user = await newUser(api);
    assert.equal(outcome(await connectOutlook(producer, api, user, await newMailbox())), 'connected');
    const res = await api.call('DELETE', '/api/me', { password: user.password }, user.token);
    assert.ok(res.status < 300, `delete account: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(await rowOf(user.id), undefined);
  });
});

describe('what leaves the service', () => {
  test('no Microsoft token from this file appears in any response or log line', async () => {
    const cipher = TokenCipher.fromConfig(producer.config.env.TOKEN_ENCRYPTION_KEYS);
    const rows: Array<{ user_id: string; access_token: string; token_cache: string }> = await db.query(
      `SELECT user_id, access_token, token_cache FROM outlook_accounts
       WHERE token_cache IS NOT NULL AND updated_at > now() - interval '10 minutes'`,
    );
    const secrets: string[] = [];
    for (const row of rows) {
      try {
        secrets.push(cipher.decrypt(row.access_token, tokenBinding(row.user_id, 'access_token')));
        const cache = JSON.parse(cipher.decrypt(row.token_cache, tokenBinding(row.user_id, 'token_cache')));
        for (const rt of Object.values(cache.RefreshToken) as Array<{ secret: string }>)
          secrets.push(rt.secret);
      } catch {
        // a row of another suite, under another key
      }
    }
    assert.ok(secrets.length >= 10, `tokens to look for: ${secrets.length}`);
    assert.ok(logLines.length > 0 && bodies.length > 0);
    const seen = bodies.join('\n') + logLines.join('');
    for (const secret of secrets) assert.ok(!seen.includes(secret), 'a Microsoft token left the service');
  });

  test("the OAuth redirect's code and state are not written to the access log", async () => {
    const before = logLines.length;
    const res = await fetch(
      `${producer.url}/api/user/outlook/redirect?code=probe-code-5521&state=probe-state-7731`,
      {
        redirect: 'manual',
      },
    );
    assert.equal(res.status, 302, 'an unknown state is sent back to the dashboard');
    const written = logLines.slice(before).join('');
    assert.match(written, /"url":"\/api\/user\/outlook\/redirect"/, 'the request is logged, by its path');
    assert.ok(!written.includes('probe-code-5521'), 'the authorization code reached the log');
    assert.ok(!written.includes('probe-state-7731'), 'the state reached the log');
  });

  test('OpenAPI documents every Outlook endpoint', async () => {
    const doc = (await api.call('GET', '/api/docs-json')).body;
    for (const [path, method] of [
      ['/api/outlook', 'get'],
      ['/api/outlook', 'delete'],
      ['/api/outlook/connect', 'post'],
      ['/api/user/outlook/redirect', 'get'],
    ]) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path}`);
      assert.deepEqual(op.tags, ['outlook']);
      assert.ok(Object.keys(op.responses).length > 0);
    }
  });
});

function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<NonNullable<T>> {
  return eventually(probe, timeoutMs, 'the message', 100);
}
