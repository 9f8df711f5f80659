// Delta query through the Graph client: rounds with creates, updates, moves and deletes in between converge
// to the emulator's exact state; immutable ids survive moves; expired or unknown tokens get 410
// SyncStateNotFound. The copies ask for immutable ids, as the consumer does (default ids: ids.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';

interface DeltaItem {
  id: string;
  '@removed'?: { reason: string };
  '@odata.etag'?: string;
  changeKey?: string;
  isRead?: boolean;
  subject?: string;
}

interface DeltaPage {
  value: DeltaItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** A local copy of one folder, kept the way the consumer keeps it: id → changeKey. */
class FolderCopy {
  readonly items = new Map<string, string>();
  deltaLink?: string;
  pages = 0;

  constructor(
    private readonly client: Client,
    private readonly folder: string,
    private readonly pageSize: number,
  ) {}

  /** Runs one delta round to its deltaLink; `between` runs after the first page (changes mid-round). */
  async round(between?: () => Promise<void>): Promise<{ upserts: string[]; removed: string[] }> {
    let url =
      this.deltaLink ?? `/me/mailFolders('${this.folder}')/messages/delta?$select=subject,isRead,changeKey`;
    const upserts: string[] = [];
    const removed: string[] = [];
    for (;;) {
      const page: DeltaPage = await this.client
        .api(url)
        .header('Prefer', `odata.maxpagesize=${this.pageSize}, IdType="ImmutableId"`)
        .get();
      this.pages++;
      assert.ok(page.value.length <= this.pageSize);
      for (const item of page.value) {
        if (item['@removed']) {
          assert.equal(item['@removed'].reason, 'deleted');
          this.items.delete(item.id);
          removed.push(item.id);
        } else {
          assert.ok(item.changeKey && item['@odata.etag']?.includes(item.changeKey));
          this.items.set(item.id, item.changeKey);
          upserts.push(item.id);
        }
      }
      if (between) {
        await between();
        between = undefined;
      }
      if (page['@odata.deltaLink']) {
        assert.equal(page['@odata.nextLink'], undefined);
        this.deltaLink = page['@odata.deltaLink'];
        return { upserts, removed };
      }
      assert.ok(page['@odata.nextLink']);
      url = page['@odata.nextLink'];
    }
  }
}

describe('delta query through the Graph client', () => {
  let emulator: TestEmulator;
  let client: Client;
  const mailbox = 'delta@contoso.test';

  async function truth(folder: string): Promise<Map<string, string>> {
    const list = await emulator.control<{ value: { id: string; changeKey: string }[] }>(
      'GET',
      `/mailboxes/${mailbox}/folders/${folder}/messages`,
    );
    return new Map(list.value.map((m) => [m.id, m.changeKey]));
  }

  async function someIds(folder: string, n: number, skip = 0): Promise<string[]> {
    const list = await emulator.control<{ value: { id: string }[] }>(
      'GET',
      `/mailboxes/${mailbox}/folders/${folder}/messages`,
    );
    return list.value.slice(skip, skip + n).map((m) => m.id);
  }

  before(async () => {
    emulator = await startTestEmulator();
    await emulator.control('POST', '/mailboxes', {
      address: mailbox,
      password: 'pw',
      displayName: 'Delta User',
    });
    await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 3000 });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => emulator.stop());

  it('converges to the emulator state over rounds with creates, updates, moves and deletes', async () => {
    const inbox = new FolderCopy(client, 'inbox', 100);
    const archive = new FolderCopy(client, 'archive', 100);
    const initial = await inbox.round();
    await archive.round();
    assert.equal(initial.removed.length, 0, 'an initial round has no removals');
    assert.deepEqual(inbox.items, await truth('inbox'));
    assert.deepEqual(archive.items, await truth('archive'));

    for (let round = 0; round < 3; round++) {
      const [read, flagged, moved, trashed, gone] = [
        await someIds('inbox', 5, 0),
        await someIds('inbox', 3, 5),
        await someIds('inbox', 4, 8),
        await someIds('inbox', 2, 12),
        await someIds('inbox', 2, 14),
      ];
      // Immutable ids are accepted whatever the request's Prefer header says.
      for (const id of read)
        await client.api(`/me/messages/${id}`).patch({ isRead: true, categories: ['Blue category'] });
      for (const id of flagged)
        await emulator.control('PATCH', `/mailboxes/${mailbox}/messages/${id}`, {
          flagStatus: 'flagged',
          isRead: false,
        });
      for (const id of moved) await client.api(`/me/messages/${id}/move`).post({ destinationId: 'archive' });
      for (const id of trashed) await client.api(`/me/messages/${id}`).delete();
      for (const id of gone) await emulator.control('DELETE', `/mailboxes/${mailbox}/messages/${id}`);
      for (let i = 0; i < 7; i++)
        await emulator.control('POST', `/mailboxes/${mailbox}/messages`, {
          subject: `round ${round} mail ${i}`,
        });
      const backFromArchive = await someIds('archive', 1, 50);
      await client.api(`/me/messages/${backFromArchive[0]}/move`).post({ destinationId: 'inbox' });

      const change = await inbox.round();
      await archive.round();
      assert.deepEqual(inbox.items, await truth('inbox'), `inbox converges in round ${round}`);
      assert.deepEqual(archive.items, await truth('archive'), `archive converges in round ${round}`);
      for (const id of [...moved, ...trashed, ...gone])
        assert.ok(change.removed.includes(id), 'moved-out and deleted ids are @removed');
    }
  });

  it('converges when changes happen while a round is being paged', async () => {
    const copy = new FolderCopy(client, 'inbox', 50);
    await copy.round(async () => {
      const ids = await someIds('inbox', 6, 100);
      await client.api(`/me/messages/${ids[0]}`).patch({ isRead: false, importance: 'high' });
      await client.api(`/me/messages/${ids[1]}/move`).post({ destinationId: 'junkemail' });
      await emulator.control('POST', `/mailboxes/${mailbox}/messages`, { subject: 'arrived mid-round' });
      await emulator.control('DELETE', `/mailboxes/${mailbox}/messages/${ids[2]}`);
    });
    await copy.round();
    assert.deepEqual(copy.items, await truth('inbox'));
  });

  it('keeps a moved message immutable id: @removed in the old folder, present in the new one', async () => {
    const inbox = new FolderCopy(client, 'inbox', 1000);
    const archive = new FolderCopy(client, 'archive', 1000);
    await inbox.round();
    await archive.round();
    const [id] = await someIds('inbox', 1, 3);
    const moved = await client
      .api(`/me/messages/${id}/move`)
      .header('Prefer', 'IdType="ImmutableId"')
      .post({ destinationId: 'archive' });
    assert.equal(moved.id, id, 'the immutable id survives the move');
    const archiveFolder = await client.api('/me/mailFolders/archive').get();
    assert.equal(moved.parentFolderId, archiveFolder.id);
    const fromInbox = await inbox.round();
    const fromArchive = await archive.round();
    assert.deepEqual(fromInbox.removed, [id]);
    assert.deepEqual(fromInbox.upserts, []);
    assert.deepEqual(fromArchive.upserts, [id]);
    const fetched = await client.api(`/me/messages/${id}`).header('Prefer', 'IdType="ImmutableId"').get();
    assert.equal(fetched.id, id);
    assert.equal(fetched.parentFolderId, archiveFolder.id);
  });

  it('accepts the mailFolders/{id} path form and the default page size of 10', async () => {
    const inboxFolder = await client.api('/me/mailFolders/inbox').get();
    const page: DeltaPage = await client.api(`/me/mailFolders/${inboxFolder.id}/messages/delta`).get();
    assert.equal(page.value.length, 10);
    assert.ok(
      page['@odata.nextLink']?.includes(
        `/v1.0/me/mailFolders('${inboxFolder.id}')/messages/delta?%24skiptoken=`,
      ),
    );
  });

  it('answers expired and unknown tokens with 410 SyncStateNotFound', async () => {
    const copy = new FolderCopy(client, 'inbox', 1000);
    await copy.round();
    await emulator.control('POST', `/mailboxes/${mailbox}/expire-delta-tokens`);
    const expired = await expectGraphError(client.api(copy.deltaLink!).get());
    assert.equal(expired.statusCode, 410);
    assert.equal(expired.code, 'SyncStateNotFound');
    const bogus = await expectGraphError(
      client.api(`/me/mailFolders/inbox/messages/delta?$deltatoken=bm90LWEtdG9rZW4.AAAA`).get(),
    );
    assert.equal(bogus.statusCode, 410);
    assert.equal(bogus.code, 'SyncStateNotFound');
    // A fresh initial round works again.
    const again = new FolderCopy(client, 'inbox', 1000);
    await again.round();
    assert.deepEqual(again.items, await truth('inbox'));
  });
  it('delivers a batch of messages to any folders in one control request, each in its folder delta', async () => {
    const inbox = new FolderCopy(client, 'inbox', 1000);
    const archive = new FolderCopy(client, 'archive', 1000);
    await inbox.round();
    await archive.round();
    await assert.rejects(
      emulator.control('POST', '/mailboxes/deliveries', {
        messages: [
          { mailbox, subject: 'never' },
          { mailbox: 'nobody@example.test', subject: 'never' },
        ],
      }),
      /404/,
    );
    const { delivered } = await emulator.control<{ delivered: { id: string }[] }>(
      'POST',
      '/mailboxes/deliveries',
      {
        messages: [
          { mailbox, subject: 'batch 1' },
          { mailbox, subject: 'batch 2', folder: 'archive' },
          { mailbox, subject: 'batch 3' },
        ],
      },
    );
    assert.equal(delivered.length, 3);
    const inboxChange = await inbox.round();
    const archiveChange = await archive.round();
    assert.deepEqual(inboxChange.upserts.sort(), [delivered[0].id, delivered[2].id].sort());
    assert.deepEqual(archiveChange.upserts, [delivered[1].id]);
  });
});
