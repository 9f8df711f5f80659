// Id formats as Exchange Online serves them: without `Prefer: IdType="ImmutableId"` Graph answers with default
// REST ids, which change when a message moves to another folder (the old one then answers 404); with it, the
// immutable id, which never changes. Requests accept both formats whatever their Prefer header says.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';

const IMMUTABLE = 'IdType="ImmutableId"';

interface Truth {
  id: string;
  defaultId: string;
  subject: string;
}

interface DeltaPage {
  value: { id: string; '@removed'?: { reason: string } }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

describe('message id formats (Prefer: IdType="ImmutableId" per request)', () => {
  let emulator: TestEmulator;
  let client: Client;
  const mailbox = 'ids@contoso.test';

  async function truth(folder: string): Promise<Truth[]> {
    const list = await emulator.control<{ value: Truth[] }>(
      'GET',
      `/mailboxes/${mailbox}/folders/${folder}/messages`,
    );
    return list.value;
  }

  /** One full delta round from `url`; returns the items and the deltaLink. */
  async function round(url: string, prefer: string): Promise<{ items: DeltaPage['value']; link: string }> {
    const items: DeltaPage['value'] = [];
    for (;;) {
      const page: DeltaPage = await client.api(url).header('Prefer', prefer).get();
      items.push(...page.value);
      if (page['@odata.deltaLink']) return { items, link: page['@odata.deltaLink'] };
      url = page['@odata.nextLink']!;
    }
  }

  before(async () => {
    emulator = await startTestEmulator();
    await emulator.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'Ids' });
    await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 200 });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => emulator.stop());

  it('answers with default ids without the header and immutable ids with it, saying which it applied', async () => {
    const [first] = await truth('inbox');
    assert.notEqual(first.defaultId, first.id);
    const plain: Response = await client
      .api('/me/mailFolders/inbox/messages')
      .top(1)
      .responseType(ResponseType.RAW)
      .get();
    assert.equal(plain.headers.get('preference-applied'), null);
    const plainBody = (await plain.json()) as { value: { id: string }[] };
    assert.equal(plainBody.value[0].id, first.defaultId);
    assert.match(first.defaultId, /^[A-Za-z0-9_-]+={0,2}$/, 'URL-safe base64, with padding');

    const immutable: Response = await client
      .api('/me/mailFolders/inbox/messages')
      .top(1)
      .header('Prefer', IMMUTABLE)
      .responseType(ResponseType.RAW)
      .get();
    assert.equal(immutable.headers.get('preference-applied'), IMMUTABLE);
    const immutableBody = (await immutable.json()) as { value: { id: string }[] };
    assert.equal(immutableBody.value[0].id, first.id);

    // Either id finds the message, and the answer uses the format this request asked for.
    assert.equal((await client.api(`/me/messages/${first.id}`).get()).id, first.defaultId);
    const byDefault = await client.api(`/me/messages/${first.defaultId}`).header('Prefer', IMMUTABLE).get();
    assert.equal(byDefault.id, first.id);
    assert.equal(byDefault.subject, first.subject);
  });

  it('changes the default id on a move: the old default id is 404, the immutable id keeps working', async () => {
    const [, second] = await truth('inbox');
    const archive = await client.api('/me/mailFolders/archive').get();
    const moved = await client
      .api(`/me/messages/${encodeURIComponent(second.defaultId)}/move`)
      .post({ destinationId: archive.id });
    assert.notEqual(moved.id, second.defaultId, 'a move gives the message a new default id');
    assert.equal(moved.parentFolderId, archive.id, 'folder ids do not change');

    const stale = await expectGraphError(
      client.api(`/me/messages/${encodeURIComponent(second.defaultId)}`).get(),
    );
    assert.equal(stale.statusCode, 404);
    assert.equal(stale.code, 'ErrorItemNotFound');

    assert.equal(
      (await client.api(`/me/messages/${encodeURIComponent(moved.id)}`).get()).subject,
      second.subject,
    );
    const byImmutable = await client.api(`/me/messages/${second.id}`).header('Prefer', IMMUTABLE).get();
    assert.equal(byImmutable.id, second.id);
    assert.equal(byImmutable.parentFolderId, archive.id);

    // Moving back does not bring the old default id back.
    const back = await client
      .api(`/me/messages/${second.id}/move`)
      .header('Prefer', IMMUTABLE)
      .post({ destinationId: 'inbox' });
    assert.equal(back.id, second.id, 'the immutable id survives both moves');
    const now = (await truth('inbox')).find((m) => m.id === second.id)!;
    assert.notEqual(now.defaultId, second.defaultId);
    assert.notEqual(now.defaultId, moved.id);
  });

  it('delta reports a move under the old default id in the source and a new one in the destination', async () => {
    const inboxStart = await round(
      '/me/mailFolders/inbox/messages/delta?$select=subject',
      'odata.maxpagesize=100',
    );
    const archiveStart = await round(
      '/me/mailFolders/archive/messages/delta?$select=subject',
      'odata.maxpagesize=100',
    );
    const [, , third] = await truth('inbox');
    assert.ok(
      inboxStart.items.some((i) => i.id === third.defaultId),
      'an initial round lists default ids',
    );
    await client.api(`/me/messages/${third.id}/move`).post({ destinationId: 'archive' });

    const inbox = await round(inboxStart.link, 'odata.maxpagesize=100');
    assert.deepEqual(inbox.items, [
      { '@odata.type': '#microsoft.graph.message', id: third.defaultId, '@removed': { reason: 'deleted' } },
    ]);
    const archive = await round(archiveStart.link, 'odata.maxpagesize=100');
    const movedNow = (await truth('archive')).find((m) => m.id === third.id)!;
    assert.deepEqual(
      archive.items.map((i) => i.id),
      [movedNow.defaultId],
    );
    assert.notEqual(movedNow.defaultId, third.defaultId);

    // The same links in immutable format, as the consumer reads them: the id never changed.
    const [, , , fourth] = await truth('inbox');
    await client.api(`/me/messages/${fourth.id}/move`).post({ destinationId: 'archive' });
    const inboxImmutable = await round(inbox.link, `odata.maxpagesize=100, ${IMMUTABLE}`);
    assert.deepEqual(
      inboxImmutable.items.map((i) => [i.id, i['@removed']?.reason]),
      [[fourth.id, 'deleted']],
    );
    const archiveImmutable = await round(archive.link, `odata.maxpagesize=100, ${IMMUTABLE}`);
    assert.deepEqual(
      archiveImmutable.items.map((i) => i.id),
      [fourth.id],
    );
  });

  it('answers PATCH, copy and new drafts in the request format', async () => {
    const [m] = await truth('inbox');
    const patched = await client.api(`/me/messages/${m.id}`).patch({ isRead: true });
    assert.equal(patched.id, m.defaultId, 'a PATCH does not change the default id');
    const patchedImmutable = await client
      .api(`/me/messages/${m.defaultId}`)
      .header('Prefer', IMMUTABLE)
      .patch({ isRead: false });
    assert.equal(patchedImmutable.id, m.id);

    const copy = await client.api(`/me/messages/${m.id}/copy`).post({ destinationId: 'archive' });
    const copyTruth = (await truth('archive')).find((t) => t.defaultId === copy.id);
    assert.ok(copyTruth, 'the copy is answered with its default id');

    const draft = await client.api('/me/messages').header('Prefer', IMMUTABLE).post({ subject: 'draft ids' });
    const draftTruth = (await truth('drafts')).find((t) => t.subject === 'draft ids')!;
    assert.equal(draft.id, draftTruth.id);
    const plainDraft = await client.api('/me/messages').post({ subject: 'draft ids 2' });
    assert.equal(plainDraft.id, (await truth('drafts')).find((t) => t.subject === 'draft ids 2')!.defaultId);
  });

  it('rejects a damaged default id as malformed or unknown, never as another message', async () => {
    const [m] = await truth('inbox');
    const flipped = m.defaultId.slice(0, 20) + (m.defaultId[20] === 'A' ? 'B' : 'A') + m.defaultId.slice(21);
    const wrong = await expectGraphError(client.api(`/me/messages/${encodeURIComponent(flipped)}`).get());
    assert.equal(wrong.statusCode, 404);
    const junk = await expectGraphError(
      client.api(`/me/messages/${encodeURIComponent('AAMkAD%%%==')}`).get(),
    );
    assert.equal(junk.statusCode, 400);
    assert.equal(junk.code, 'ErrorInvalidIdMalformed');
  });
});

describe('id formats across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-emulator-ids-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps move generations and the ids delta removals are reported under', async () => {
    const mailbox = 'ids-restart@contoso.test';
    const first = await startTestEmulator({}, dir);
    await first.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'R' });
    await first.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 40 });
    const { result } = await signIn(first, { username: mailbox, password: 'pw' });
    const client1 = graphClient(first, () => result.accessToken);
    const start = await client1.api('/me/mailFolders/inbox/messages/delta?$select=subject').get();
    let link: string = start['@odata.nextLink'] ?? start['@odata.deltaLink'];
    while (!link.includes('deltatoken')) {
      const page = await client1.api(link).get();
      link = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
    }
    const [m] = (
      await first.control<{ value: Truth[] }>('GET', `/mailboxes/${mailbox}/folders/inbox/messages`)
    ).value;
    const moved = await client1.api(`/me/messages/${m.id}/move`).post({ destinationId: 'archive' });
    await first.stop();

    const second = await startTestEmulator({}, dir);
    try {
      const { result: again } = await signIn(second, { username: mailbox, password: 'pw' });
      const client2 = graphClient(second, () => again.accessToken);
      assert.equal((await client2.api(`/me/messages/${encodeURIComponent(moved.id)}`).get()).id, moved.id);
      const stale = await expectGraphError(
        client2.api(`/me/messages/${encodeURIComponent(m.defaultId)}`).get(),
      );
      assert.equal(stale.statusCode, 404);
      const delta = await client2.api(link.replace(first.url, second.url)).get();
      assert.deepEqual(
        delta.value.map((v: { id: string }) => v.id),
        [m.defaultId],
        'the removal keeps the id the inbox showed before the move',
      );
    } finally {
      await second.stop();
    }
  });
});
