// Scale: 100,000 messages seed in seconds, and a full delta round over the largest folder at the largest
// page size streams through the Graph client.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { graphClient } from './support/graph';

describe('100,000 messages', () => {
  let emulator: TestEmulator;
  before(async () => {
    emulator = await startTestEmulator({ EMULATOR_THROTTLE_WINDOW_REQUESTS: '1000000' });
    await emulator.control('POST', '/mailboxes', {
      address: 'huge@contoso.test',
      password: 'pw',
      displayName: 'Huge Mailbox',
    });
  });
  after(async () => emulator.stop());

  it('seeds in seconds and serves a full delta round at odata.maxpagesize=1000', async () => {
    const started = Date.now();
    const seeded = await emulator.control<{ total: number; ms: number }>(
      'POST',
      '/mailboxes/huge@contoso.test/seed',
      { messages: 100_000 },
    );
    const seedMs = Date.now() - started;
    assert.equal(seeded.total, 100_000);
    assert.ok(seedMs < 10_000, `seeding took ${seedMs} ms`);

    const { result } = await signIn(emulator, { username: 'huge@contoso.test', password: 'pw' });
    const client = graphClient(emulator, () => result.accessToken);
    const inbox = await client.api('/me/mailFolders/inbox').get();
    let url = `/me/mailFolders('${inbox.id}')/messages/delta?$select=subject,isRead,receivedDateTime`;
    let count = 0;
    let pages = 0;
    const t0 = Date.now();
    for (;;) {
      const page = await client.api(url).header('Prefer', 'odata.maxpagesize=1000').get();
      count += page.value.length;
      pages++;
      if (page['@odata.deltaLink']) break;
      url = page['@odata.nextLink'];
    }
    const ms = Date.now() - t0;
    assert.equal(count, inbox.totalItemCount);
    assert.equal(pages, Math.ceil(inbox.totalItemCount / 1000));
    // The product's page (bodies and recipients) at 1,000 stays under the default 504 limit of the
    // exchange-online dialect for seeded mail.
    assert.equal(emulator.ctx.config.gatewayTimeoutPageBytes, 4 * 1024 * 1024);
    const full = await client
      .api(
        `/me/mailFolders('${inbox.id}')/messages/delta?$select=subject,body,bodyPreview,from,toRecipients,ccRecipients,bccRecipients`,
      )
      .header('Prefer', 'odata.maxpagesize=1000, IdType="ImmutableId"')
      .get();
    assert.equal(full.value.length, 1000);
    console.log(
      `# seeded 100,000 in ${seedMs} ms; delta ${count} messages in ${pages} pages, ${ms} ms (${Math.round((count / ms) * 1000)} msg/s through the SDK)`,
    );
  });
});
