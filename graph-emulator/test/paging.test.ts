// Reading a large mailbox through the Graph client: every one of 10,000 messages exactly once, newest first,
// following @odata.nextLink, plus $select and folder listings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { graphClient } from './support/graph';

interface Msg {
  id: string;
  receivedDateTime: string;
  subject?: string;
  parentFolderId?: string;
  [key: string]: unknown;
}

describe('paging a 10,000-message mailbox with the Graph client', () => {
  let emulator: TestEmulator;
  let token: string;
  before(async () => {
    emulator = await startTestEmulator();
    await emulator.control('POST', '/mailboxes', {
      address: 'big@contoso.test',
      password: 'big-password',
      displayName: 'Big Mailbox',
    });
    const seeded = await emulator.control<{ total: number }>('POST', '/mailboxes/big@contoso.test/seed', {
      messages: 10_000,
    });
    assert.equal(seeded.total, 10_000);
    token = (await signIn(emulator, { username: 'big@contoso.test', password: 'big-password' })).result
      .accessToken;
  });
  after(async () => emulator.stop());

  it('returns every message exactly once, newest first, across nextLinks', async () => {
    const client = graphClient(emulator, () => token);
    const first: PageCollection = await client
      .api('/me/messages')
      .select('id,receivedDateTime,subject,parentFolderId')
      .orderby('receivedDateTime desc')
      .top(1000)
      .get();
    const seen: Msg[] = [];
    const iterator = new PageIterator(client, first, (m: Msg) => {
      seen.push(m);
      return true;
    });
    await iterator.iterate();
    assert.equal(seen.length, 10_000);
    assert.equal(new Set(seen.map((m) => m.id)).size, 10_000);
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i - 1].receivedDateTime >= seen[i].receivedDateTime, 'newest first');
    assert.deepEqual(Object.keys(seen[0]).sort(), [
      '@odata.etag',
      'id',
      'parentFolderId',
      'receivedDateTime',
      'subject',
    ]);
  });

  it('lists folders whose counts add up to the mailbox, and pages a folder with the default page size', async () => {
    const client = graphClient(emulator, () => token);
    const top = await client.api('/me/mailFolders').top(50).get();
    const names = top.value.map((f: { displayName: string }) => f.displayName);
    for (const n of ['Inbox', 'Sent Items', 'Drafts', 'Deleted Items', 'Archive', 'Junk Email'])
      assert.ok(names.includes(n), n);
    const inbox = await client.api('/me/mailFolders/inbox').get();
    const children = await client.api(`/me/mailFolders('${inbox.id}')/childFolders`).get();
    assert.deepEqual(
      children.value.map((f: { displayName: string }) => f.displayName),
      ['Receipts'],
    );
    const total = [...top.value, ...children.value].reduce(
      (n: number, f: { totalItemCount: number }) => n + f.totalItemCount,
      0,
    );
    assert.equal(total, 10_000);

    const page = await client.api('/me/mailFolders/inbox/messages').get();
    assert.equal(page.value.length, 10, 'default page size is 10');
    assert.match(page['@odata.nextLink'], /^https:\/\/localhost:\d+\/v1\.0\/me\/mailFolders\/.+%24skip=10/);
    const next = await client.api(page['@odata.nextLink']).get();
    assert.equal(next.value.length, 10);
    assert.notEqual(next.value[0].id, page.value[0].id);
    // A page size from Prefer belongs to its request; $top travels in the link.
    const preferred = await client
      .api('/me/mailFolders/inbox/messages')
      .header('Prefer', 'odata.maxpagesize=25')
      .get();
    assert.equal(preferred.value.length, 25);
    assert.equal((await client.api(preferred['@odata.nextLink']).get()).value.length, 10);
    const topped = await client.api('/me/mailFolders/inbox/messages').top(30).get();
    assert.equal((await client.api(topped['@odata.nextLink']).get()).value.length, 30);
    const msg = await client.api(`/me/messages/${page.value[0].id}`).get();
    assert.equal(msg.id, page.value[0].id);
    assert.equal(msg.body.contentType, 'html');
    assert.equal(msg.parentFolderId, inbox.id);
  });
});
