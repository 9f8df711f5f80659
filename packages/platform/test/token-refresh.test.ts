// MailboxTokens against a real PostgreSQL, the Redis cluster and a graph emulator with strict refresh-token
// rotation (a used refresh token dies at once), so a refresh that stores a stale refresh token shows up as
// invalid_grant on the next refresh.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Cluster } from 'ioredis';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { infraEnvShape, parseEnv } from '../src/config/env';
import { infraSettingsFrom } from '../src/config/infra-settings';
import { microsoftEnvShape } from '../src/config/microsoft-env';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrate';
import { MailboxReauthRequiredError, MailboxTokens } from '../src/microsoft/mailbox-tokens';
import { createMsalClient, MicrosoftSettings, microsoftSettingsFrom } from '../src/microsoft/msal';
import { OutlookAccountsRepository } from '../src/microsoft/outlook-accounts.repository';
import { TokenCipher, tokenBinding } from '../src/microsoft/token-cipher';
import { createRedisCluster } from '../src/redis/redis-cluster';
import { connectMailbox } from '../src/testing/mailbox';
import { stackEnv } from '../src/testing/stack-env';
import { EMULATOR_TENANT, EmulatorProcess, startEmulatorProcess } from '../src/testing/emulator-process';

let emulator: EmulatorProcess;
let dataSource: DataSource;
let redis: Cluster;
let settings: MicrosoftSettings;
let cipher: TokenCipher;
let repo: OutlookAccountsRepository;
let tokens: MailboxTokens;
const logLines: string[] = [];
const seenSecrets: string[] = [];

before(async () => {
  emulator = await startEmulatorProcess({ EMULATOR_STRICT_REFRESH_ROTATION: 'true' });
  const env = parseEnv(z.object({ ...infraEnvShape, ...microsoftEnvShape }), {
    ...stackEnv(process.env),
    MS_AUTHORITY: `${emulator.url}/${EMULATOR_TENANT}`,
    MS_KNOWN_AUTHORITIES: new URL(emulator.url).host,
  });
  const infra = infraSettingsFrom('token-test', env);
  await runMigrations(infra.database);
  dataSource = await new DataSource(buildDataSourceOptions(infra.database)).initialize();
  redis = createRedisCluster(infra.redis.nodes, infra.redis.keyPrefix);
  settings = microsoftSettingsFrom(env);
  cipher = TokenCipher.fromConfig(settings.tokenKeys, settings.activeTokenKeyId);
  repo = new OutlookAccountsRepository(dataSource);
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  tokens = new MailboxTokens(repo, cipher, settings, redis, pino({ level: 'trace' }, sink));
});

after(async () => {
  await dataSource?.destroy();
  redis?.disconnect();
  await emulator?.stop();
});

/** A user with a mailbox of their own in the emulator, connected through the real code flow. */
function connectedUser(): Promise<{ userId: string; address: string }> {
  return connectMailbox(dataSource, settings, emulator.control, {
    label: 'token',
    onTokens: rememberSecrets,
  });
}

function rememberSecrets(accessToken: string, cache: string): void {
  seenSecrets.push(accessToken);
  const parsed = JSON.parse(cache) as { RefreshToken: Record<string, { secret: string }> };
  for (const rt of Object.values(parsed.RefreshToken)) seenSecrets.push(rt.secret);
}

async function expireAccessToken(userId: string): Promise<void> {
  await dataSource.query(
    `UPDATE outlook_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE user_id = $1`,
    [userId],
  );
}

async function graphMe(accessToken: string): Promise<{ status: number; mail?: string }> {
  const res = await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  const body = (await res.json()) as { mail?: string; userPrincipalName?: string };
  return { status: res.status, mail: body.mail ?? body.userPrincipalName };
}

async function rowOf(userId: string) {
  const [row] = await dataSource.query(
    `SELECT status, cache_version, access_token, token_cache FROM outlook_accounts WHERE user_id = $1`,
    [userId],
  );
  return row as {
    status: string;
    cache_version: number;
    access_token: string | null;
    token_cache: string | null;
  };
}

test('the emulator of this test rotates strictly: a refresh token works once', async () => {
  const { userId } = await connectedUser();
  const before = cipher.decrypt((await rowOf(userId)).token_cache!, tokenBinding(userId, 'token_cache'));
  await expireAccessToken(userId);
  await tokens.getAccessToken(userId);
  // Replaying the pre-refresh cache spends the old refresh token a second time.
  const replay = createMsalClient(settings, pino({ level: 'silent' }));
  replay.getTokenCache().deserialize(before);
  const [account] = await replay.getTokenCache().getAllAccounts();
  await assert.rejects(
    replay.acquireTokenSilent({ account, scopes: settings.scopes, forceRefresh: true }),
    (e: { errorCode?: string }) => e.errorCode === 'invalid_grant',
  );
});

test('a fresh access token is returned as stored, without a refresh', async () => {
  const { userId, address } = await connectedUser();
  const version = (await rowOf(userId)).cache_version;
  const token = await tokens.getAccessToken(userId);
  assert.deepEqual(await graphMe(token), { status: 200, mail: address });
  assert.equal((await rowOf(userId)).cache_version, version);
});

test('20 concurrent requests for an expired token refresh once and leave a working refresh token', async () => {
  const { userId, address } = await connectedUser();
  const version = (await rowOf(userId)).cache_version;
  await expireAccessToken(userId);

  const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(userId)));
  assert.equal(new Set(results).size, 1, 'one refresh served everyone');
  assert.deepEqual(await graphMe(results[0]), { status: 200, mail: address });
  const row = await rowOf(userId);
  assert.equal(row.status, 'connected');
  assert.equal(row.cache_version, version + 1);
  rememberSecrets(results[0], cipher.decrypt(row.token_cache!, tokenBinding(userId, 'token_cache')));

  // The stored refresh token is the live one: with strict rotation a lost rotation would fail here.
  for (let round = 0; round < 3; round++) {
    await expireAccessToken(userId);
    const again = await tokens.getAccessToken(userId);
    assert.notEqual(again, results[0]);
    assert.equal((await graphMe(again)).status, 200);
    rememberSecrets(
      again,
      cipher.decrypt((await rowOf(userId)).token_cache!, tokenBinding(userId, 'token_cache')),
    );
  }
});

test('a grant revoked at Microsoft ends in reauth_required, the tokens dropped, and a typed error', async () => {
  const { userId, address } = await connectedUser();
  await emulator.control('POST', `/mailboxes/${encodeURIComponent(address)}/revoke-grants`, {});
  await expireAccessToken(userId);

  const attempts = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.getAccessToken(userId)));
  for (const attempt of attempts) {
    assert.equal(attempt.status, 'rejected');
    assert.ok((attempt as PromiseRejectedResult).reason instanceof MailboxReauthRequiredError);
  }
  const row = await rowOf(userId);
  assert.equal(row.status, 'reauth_required');
  assert.equal(row.access_token, null);
  assert.equal(row.token_cache, null);
  await assert.rejects(tokens.getAccessToken(userId), MailboxReauthRequiredError);
});

test('Entra throttled, briefly unavailable or braking a request loop on refresh: a retryable error, the mailbox stays connected', async () => {
  for (const kind of ['throttle', 'unavailable', 'loop_detected'] as const) {
    const { userId, address } = await connectedUser();
    await expireAccessToken(userId);
    await emulator.control('PUT', '/token-faults', { kind, next: 1, retryAfterSeconds: 0 });
    try {
      await assert.rejects(
        tokens.getAccessToken(userId),
        (e: unknown) => !(e instanceof MailboxReauthRequiredError),
        `${kind}: not a dead grant`,
      );
    } finally {
      await emulator.control('DELETE', '/token-faults');
    }
    const row = await rowOf(userId);
    assert.equal(row.status, 'connected', `${kind}: still connected`);
    assert.ok(row.token_cache, `${kind}: the refresh token is kept`);
    // The next attempt (the job's retry) refreshes normally.
    const token = await tokens.getAccessToken(userId);
    assert.deepEqual(await graphMe(token), { status: 200, mail: address });
    rememberSecrets(
      token,
      cipher.decrypt((await rowOf(userId)).token_cache!, tokenBinding(userId, 'token_cache')),
    );
  }
});

test('Conditional Access demanding MFA on refresh (interaction_required) ends in reauth_required', async () => {
  const { userId } = await connectedUser();
  await expireAccessToken(userId);
  await emulator.control('PUT', '/token-faults', { kind: 'interaction_required', next: 1 });
  try {
    await assert.rejects(tokens.getAccessToken(userId), MailboxReauthRequiredError);
  } finally {
    await emulator.control('DELETE', '/token-faults');
  }
  assert.equal((await rowOf(userId)).status, 'reauth_required');
});

test('no access or refresh token ever reached the logs', () => {
  assert.ok(seenSecrets.length > 5);
  assert.ok(logLines.length > 0, 'the refreshes were logged');
  const text = logLines.join('');
  for (const secret of seenSecrets) assert.ok(!text.includes(secret), 'a token leaked into the logs');
});
