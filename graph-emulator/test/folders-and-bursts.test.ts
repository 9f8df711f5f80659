// A mailbox changes under a client that already synced it: a user makes new folders (top-level and nested)
// and drags many messages at once. New folders show up in Graph's folder listings with their own, empty
// delta; a bulk move goes through Graph's move, so deltas and notifications see every message of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { graphClient } from './support/graph';
import { WebhookReceiver } from './support/webhook';

const PREFER = 'odata.maxpagesize=200, IdType="ImmutableId"';

interface Folder {
  id: string;
  displayName: string;
  childFolderCount: number;
  totalItemCount: number;
}

interface DeltaPage {
  value: { id: string; '@removed'?: { reason: string } }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

describe('folders made after a sync, and bursts of moves', () => {
  let emulator: TestEmulator;
  let client: Client;
  const mailbox = 'folders@contoso.test';

  async function round(url: string): Promise<{ items: DeltaPage['value']; link: string }> {
    const items: DeltaPage['value'] = [];
    for (;;) {
      const page: DeltaPage = await client.api(url).header('Prefer', PREFER).get();
      items.push(...page.value);
      if (page['@odata.deltaLink']) return { items, link: page['@odata.deltaLink'] };
      url = page['@odata.nextLink']!;
    }
  }

  async function inboxIds(n: number): Promise<string[]> {
    const list = await emulator.control<{ value: { id: string }[] }>(
      'GET',
      `/mailboxes/${mailbox}/folders/inbox/messages`,
    );
    return list.value.slice(0, n).map((m) => m.id);
  }

  before(async () => {
    emulator = await startTestEmulator();
    await emulator.control('POST', '/mailboxes', {
      address: mailbox,
      password: 'pw',
      displayName: 'Folders',
    });
    await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 300 });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => emulator.stop());

  it('lists a folder made after the first listing, with its own delta', async () => {
    const before: Folder[] = (await client.api('/me/mailFolders').top(100).get()).value;
    const inbox: Folder = await client.api('/me/mailFolders/inbox').get();
    const top = await emulator.control<{ id: string; parentFolderId: string }>(
      'POST',
      `/mailboxes/${mailbox}/folders`,
      { displayName: 'Clients' },
    );
    const nested = await emulator.control<{ id: string; parentFolderId: string }>(
      'POST',
      `/mailboxes/${mailbox}/folders`,
      { displayName: 'Invoices 2026', parent: 'inbox' },
    );
    assert.equal(nested.parentFolderId, inbox.id);
    await assert.rejects(
      emulator.control('POST', `/mailboxes/${mailbox}/folders`, { displayName: 'clients' }),
      /409.*ErrorFolderExists/,
    );

    const after: Folder[] = (await client.api('/me/mailFolders').top(100).get()).value;
    assert.equal(after.length, before.length + 1);
    assert.equal(after.find((f) => f.id === top.id)?.displayName, 'Clients');
    const inboxNow: Folder = await client.api('/me/mailFolders/inbox').get();
    assert.equal(inboxNow.childFolderCount, inbox.childFolderCount + 1);
    const children: Folder[] = (await client.api(`/me/mailFolders/${inbox.id}/childFolders`).get()).value;
    assert.ok(children.some((f) => f.id === nested.id && f.displayName === 'Invoices 2026'));

    const empty = await round(`/me/mailFolders/${nested.id}/messages/delta`);
    assert.deepEqual(empty.items, [], 'a new folder starts empty');
    const inboxStart = await round('/me/mailFolders/inbox/messages/delta?$select=subject');
    const filed = await emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, {
      folder: nested.id,
      subject: 'filed',
    });
    assert.deepEqual(
      (await round(empty.link)).items.map((i) => i.id),
      [filed.id],
    );
    assert.deepEqual((await round(inboxStart.link)).items, [], 'the parent folder does not see it');
  });

  it('moves many messages in one control request, seen by deltas and notifications', async () => {
    const hook = await new WebhookReceiver().start();
    try {
      await client
        .api('/subscriptions')
        .header('Prefer', 'IdType="ImmutableId"')
        .post({
          changeType: 'created,updated,deleted',
          notificationUrl: `${hook.url}/notify`,
          resource: 'me/messages',
          expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
          clientState: 'burst',
        });
      const inbox = await round('/me/mailFolders/inbox/messages/delta?$select=subject');
      const archive = await round('/me/mailFolders/archive/messages/delta?$select=subject');
      const ids = await inboxIds(5);
      await assert.rejects(
        emulator.control('POST', `/mailboxes/${mailbox}/messages/move`, {
          ids: [...ids, 'AAMkAGI2TG93AAAnotamessageatall00000000000000'],
          destination: 'archive',
        }),
        /404/,
      );
      assert.deepEqual(await inboxIds(5), ids, 'nothing moved when one id is unknown');

      const { moved } = await emulator.control<{ moved: { id: string; folderId: string }[] }>(
        'POST',
        `/mailboxes/${mailbox}/messages/move`,
        { ids, destination: 'archive' },
      );
      const archiveFolder: Folder = await client.api('/me/mailFolders/archive').get();
      assert.deepEqual(
        moved.map((m) => [m.id, m.folderId]),
        ids.map((id) => [id, archiveFolder.id]),
      );
      const fromInbox = await round(inbox.link);
      assert.deepEqual(
        fromInbox.items.map((i) => [i.id, i['@removed']?.reason]).sort(),
        ids.map((id) => [id, 'deleted']).sort(),
      );
      const intoArchive = await round(archive.link);
      assert.deepEqual(intoArchive.items.map((i) => i.id).sort(), [...ids].sort());

      const notified = () =>
        new Set((hook.notifications() as { resourceData: { id: string } }[]).map((n) => n.resourceData.id));
      await hook.waitFor(() => ids.every((id) => notified().has(id)));
    } finally {
      await hook.stop();
    }
  });
});
