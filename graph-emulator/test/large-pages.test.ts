// Big pages time out at Exchange Online's gateway: 504 with an empty UnknownError. The emulator decides by the
// page's JSON size (EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES), so the same request always fails, a smaller page
// always passes, and a 504 never moves a delta round on: the same link works again with a smaller page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetryHandlerOptions, type Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';

const FULL =
  '/me/mailFolders/inbox/messages/delta?$select=subject,body,toRecipients,ccRecipients,bccRecipients';
const prefer = (n: number) => `odata.maxpagesize=${n}, IdType="ImmutableId"`;
/** The SDK retries 504 by itself (three times, seconds apart); the tests look at the answer itself. */
const NO_RETRY = [new RetryHandlerOptions(0, 0)];

interface DeltaPage {
  value: { id: string }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

async function setUp(env: Record<string, string>, address: string) {
  const emulator = await startTestEmulator(env);
  await emulator.control('POST', '/mailboxes', { address, password: 'pw', displayName: 'Big Pages' });
  await emulator.control('POST', `/mailboxes/${address}/seed`, { messages: 1000 });
  const { result } = await signIn(emulator, { username: address, password: 'pw' });
  return { emulator, client: graphClient(emulator, () => result.accessToken) };
}

describe('504 GatewayTimeout for oversized pages (exchange-online dialect)', () => {
  let emulator: TestEmulator;
  let client: Client;
  const mailbox = 'bigpages@contoso.test';
  const get = (url: string, size: number): Promise<DeltaPage> =>
    client.api(url).header('Prefer', prefer(size)).middlewareOptions(NO_RETRY).get();

  before(async () => {
    ({ emulator, client } = await setUp({ EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES: '200000' }, mailbox));
  });
  after(async () => emulator.stop());

  it('answers a delta page over the limit with 504 UnknownError and an empty message', async () => {
    const err = await expectGraphError(get(FULL, 500));
    assert.equal(err.statusCode, 504);
    assert.equal(err.code, 'UnknownError');
    assert.equal(err.message, '');
  });

  it('serves the same round once the client shrinks the page, with nothing skipped or repeated', async () => {
    const inbox = await emulator.control<{ value: { id: string }[] }>(
      'GET',
      `/mailboxes/${mailbox}/folders/inbox/messages`,
    );
    const seen: string[] = [];
    let url = FULL;
    let size = 500;
    let timeouts = 0;
    for (;;) {
      let page: DeltaPage;
      try {
        page = await get(url, size);
      } catch (err) {
        assert.equal((err as { statusCode: number }).statusCode, 504);
        timeouts++;
        size = Math.max(1, Math.floor(size / 4));
        continue;
      }
      seen.push(...page.value.map((v) => v.id));
      if (page['@odata.deltaLink']) break;
      url = page['@odata.nextLink']!;
      // Growing again after a success hits the limit again: the check is per request.
      size = 500;
    }
    assert.ok(timeouts >= 2, 'every oversized request timed out');
    assert.equal(seen.length, inbox.value.length);
    assert.deepEqual(new Set(seen), new Set(inbox.value.map((m) => m.id)));
  });

  it('does not spend a delta generation on a 504: the same deltaLink survives many timeouts', async () => {
    let url = FULL;
    let page: DeltaPage;
    do {
      page = await get(url, 50);
      url = page['@odata.nextLink'] ?? '';
    } while (!page['@odata.deltaLink']);
    const link = page['@odata.deltaLink']!;
    const bodyHtml = `<html><body><p>${'x'.repeat(3000)}</p></body></html>`;
    const sent: string[] = [];
    for (let i = 0; i < 120; i++) {
      const m = await emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, {
        subject: `m${i}`,
        bodyHtml,
      });
      sent.push(m.id);
    }
    for (let i = 0; i < 6; i++) assert.equal((await expectGraphError(get(link, 1000))).statusCode, 504);
    const seen: string[] = [];
    let next: string | undefined = link;
    while (next) {
      const ok = await get(next, 40);
      seen.push(...ok.value.map((v) => v.id));
      next = ok['@odata.nextLink'];
    }
    assert.deepEqual(seen.sort(), sent.sort(), 'the round after the timeouts starts where the link stopped');
  });

  it('answers an oversized message list page with 504 too, and a smaller $top passes', async () => {
    const big = await expectGraphError(
      client.api('/me/mailFolders/inbox/messages').top(500).middlewareOptions(NO_RETRY).get(),
    );
    assert.equal(big.statusCode, 504);
    assert.equal(big.code, 'UnknownError');
    const small = await client.api('/me/mailFolders/inbox/messages').top(10).get();
    assert.equal(small.value.length, 10);
  });
});

describe('page sizes in the documented dialect', () => {
  it('never times out by size unless EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES is set', async () => {
    const { emulator, client } = await setUp({ EMULATOR_DIALECT: 'documented' }, 'documented@contoso.test');
    try {
      assert.equal(emulator.ctx.config.gatewayTimeoutPageBytes, 0);
      const page: DeltaPage = await client.api(FULL).header('Prefer', prefer(1000)).get();
      assert.ok(page.value.length > 500);
    } finally {
      await emulator.stop();
    }
  });
});
