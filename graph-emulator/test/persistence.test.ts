// A stopped emulator resumes with its mailboxes, grants, subscriptions and delta state; the production entry
// point starts from the environment and snapshots on SIGTERM.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CA_DIR, startTestEmulator } from './support/emulator';
import { GRAPH_SCOPES, newMsalApp, signIn } from './support/msal';
import { graphClient } from './support/graph';
import { WebhookReceiver } from './support/webhook';

describe('state snapshots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-emulator-persist-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes mailboxes, refresh tokens, subscriptions and delta links after a restart', async () => {
    const hook = await new WebhookReceiver().start();
    const first = await startTestEmulator({}, dir);
    await first.control('POST', '/mailboxes', {
      address: 'keep@contoso.test',
      password: 'pw',
      displayName: 'Keep Me',
    });
    await first.control('POST', '/mailboxes/keep@contoso.test/seed', { messages: 120 });
    const { app, result } = await signIn(first, { username: 'keep@contoso.test', password: 'pw' });
    const client = graphClient(first, () => result.accessToken);
    const sub = await client.api('/subscriptions').post({
      changeType: 'created',
      notificationUrl: `${hook.url}/notify`,
      resource: 'me/messages',
      expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
      clientState: 'kept',
    });
    let page = await client
      .api('/me/mailFolders/inbox/messages/delta')
      .header('Prefer', 'odata.maxpagesize=1000, IdType="ImmutableId"')
      .get();
    const deltaLink: string = page['@odata.deltaLink'];
    assert.ok(deltaLink);
    const refreshToken = (
      Object.values(JSON.parse(app.getTokenCache().serialize()).RefreshToken) as { secret: string }[]
    )[0].secret;
    const delivered = await first.control<{ id: string }>('POST', '/mailboxes/keep@contoso.test/messages', {
      subject: 'before restart',
    });
    await hook.waitFor(() => hook.notifications().length === 1, 5000);
    await first.stop();
    assert.ok(existsSync(join(dir, 'state.json')));

    const second = await startTestEmulator({}, dir);
    try {
      const renewed = await newMsalApp(second).acquireTokenByRefreshToken({
        refreshToken,
        scopes: GRAPH_SCOPES,
      });
      assert.equal(renewed?.account?.username, 'keep@contoso.test');
      const client2 = graphClient(second, () => renewed!.accessToken);
      const subs = await client2.api('/subscriptions').get();
      assert.deepEqual(
        subs.value.map((s: { id: string }) => s.id),
        [sub.id],
      );
      page = await client2
        .api(deltaLink.replace(first.url, second.url))
        .header('Prefer', 'IdType="ImmutableId"')
        .get();
      assert.deepEqual(
        page.value.map((m: { id: string }) => m.id),
        [delivered.id],
        'the saved deltaLink continues where it stopped',
      );
      const counts = await second.control<{ messages: number }>('GET', '/mailboxes/keep@contoso.test');
      assert.equal(counts.messages, 121);
      await second.control('POST', '/mailboxes/keep@contoso.test/messages', { subject: 'after restart' });
      await hook.waitFor(() => hook.notifications().length === 2, 5000);
    } finally {
      await second.stop();
      await hook.stop();
    }
  });

  it('starts main.js from the environment and snapshots on SIGTERM', async () => {
    const data = join(dir, 'main');
    const main = resolve(__dirname, '..', 'src', 'main.js');
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        EMULATOR_PORT: '0',
        EMULATOR_DATA_DIR: data,
        EMULATOR_CA_DIR: CA_DIR,
        EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${stderr}`)), 15_000);
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const m = /"msg":"graph-emulator listening","url":"([^"]+)"/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
    });
    const health = await fetch(`${url}/__emulator/health`);
    assert.deepEqual(await health.json(), { ok: true });
    const info = (await (await fetch(`${url}/__emulator/info`)).json()) as { authority: string };
    assert.equal(info.authority, `${url}/9188040d-6c67-4c5b-b112-36a304b66dad`);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(existsSync(join(data, 'state.json')), 'state snapshotted on SIGTERM');
  });

  it('fails fast naming a bad variable', async () => {
    const main = resolve(__dirname, '..', 'src', 'main.js');
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, EMULATOR_PORT: 'eighty' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 2);
    assert.match(stderr, /EMULATOR_PORT/);
  });
});
