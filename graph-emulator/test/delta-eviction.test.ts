// Delta sync states as Exchange Online keeps them: every deltaLink handed out is a new generation of the
// folder's sync state, only the newest few (EMULATOR_DELTA_TOKEN_GENERATIONS, 3) stay valid, and an evicted
// link answers 410 SyncStateNotFound "generation=g;[highest=h][h][h-1][h-2]". A client that saves the newest
// link always continues; one that keeps replaying an old link loses it after a few replays. The page size is
// the request's own Prefer: a continuation without it gets Graph's default of 10.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';

const PREFER = 'odata.maxpagesize=100, IdType="ImmutableId"';

interface DeltaPage {
  value: { id: string; '@removed'?: { reason: string } }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

async function fullRound(client: Client, url: string): Promise<{ ids: string[]; link: string }> {
  const ids: string[] = [];
  for (;;) {
    const page: DeltaPage = await client.api(url).header('Prefer', PREFER).get();
    ids.push(...page.value.map((v) => v.id));
    if (page['@odata.deltaLink']) return { ids, link: page['@odata.deltaLink'] };
    url = page['@odata.nextLink']!;
  }
}

const START = '/me/mailFolders/inbox/messages/delta?$select=subject';

describe('delta sync-state generations and page sizes', () => {
  let emulator: TestEmulator;
  let client: Client;
  const mailbox = 'evict@contoso.test';
  const deliver = (subject: string, folder = 'inbox') =>
    emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, { subject, folder });

  before(async () => {
    emulator = await startTestEmulator();
    await emulator.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'Evict' });
    await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 400 });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => emulator.stop());

  it('keeps a client that always saves the newest deltaLink in sync for any number of rounds', async () => {
    let { link } = await fullRound(client, START);
    for (let i = 0; i < 8; i++) {
      const sent = await deliver(`round ${i}`);
      const next = await fullRound(client, link);
      assert.deepEqual(next.ids, [sent.id]);
      link = next.link;
    }
  });

  it('answers 410 SyncStateNotFound once the same old deltaLink was replayed three times', async () => {
    const first = await fullRound(client, START);
    const sent = await deliver('seen by every replay');
    for (let replay = 1; replay <= 3; replay++) {
      const again = await fullRound(client, first.link);
      assert.deepEqual(again.ids, [sent.id], `replay ${replay} still works`);
    }
    const gone = await expectGraphError(client.api(first.link).header('Prefer', PREFER).get());
    assert.equal(gone.statusCode, 410);
    assert.equal(gone.code, 'SyncStateNotFound');
    const g = Number(/generation=(\d+);/.exec(gone.message)?.[1]);
    const h = g + 3;
    assert.equal(
      gone.message,
      `The sync state generation is not found; generation=${g};[highest=${h}][${h}][${h - 1}][${h - 2}].`,
    );
    // Starting over is the way out, as Graph's docs say.
    const fresh = await fullRound(client, START);
    assert.ok(fresh.ids.includes(sent.id));
  });

  it('evicts the skip tokens of a round once newer generations exist, and keeps folders apart', async () => {
    const archiveStart = await fullRound(client, '/me/mailFolders/archive/messages/delta');
    const { link } = await fullRound(client, START);
    for (let i = 0; i < 120; i++) await deliver(`burst ${i}`);
    const firstPage: DeltaPage = await client.api(link).header('Prefer', PREFER).get();
    assert.ok(firstPage['@odata.nextLink'], 'the round has more pages');
    // Another client (or a retry) finishes three rounds in between.
    let newest = link;
    for (let i = 0; i < 3; i++) newest = (await fullRound(client, newest)).link;
    const gone = await expectGraphError(
      client.api(firstPage['@odata.nextLink']!).header('Prefer', PREFER).get(),
    );
    assert.equal(gone.statusCode, 410);
    assert.equal(gone.code, 'SyncStateNotFound');
    // The archive folder has its own generations: the inbox rounds did not touch its link.
    const archived = await deliver('to archive', 'archive');
    const archive = await fullRound(client, archiveStart.link);
    assert.deepEqual(archive.ids, [archived.id]);
  });

  it('applies each request its own odata.maxpagesize: a continuation without it gets 10', async () => {
    const first: DeltaPage = await client.api(START).header('Prefer', 'odata.maxpagesize=50').get();
    assert.equal(first.value.length, 50);
    const second: DeltaPage = await client.api(first['@odata.nextLink']!).get();
    assert.equal(second.value.length, 10, 'the page size is not carried in the token');
    const third: DeltaPage = await client
      .api(second['@odata.nextLink']!)
      .header('Prefer', 'odata.maxpagesize=30')
      .get();
    assert.equal(third.value.length, 30);
    const ids = [...first.value, ...second.value, ...third.value].map((v) => v.id);
    assert.equal(new Set(ids).size, 90, 'no item repeats across page sizes');
  });
});

describe('delta generations across a restart and a narrower window', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-emulator-generations-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps generation counters in the snapshot, so valid links stay valid and evicted ones stay gone', async () => {
    const mailbox = 'restart-gen@contoso.test';
    const first = await startTestEmulator({}, dir);
    await first.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'Gen' });
    await first.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 50 });
    const { result } = await signIn(first, { username: mailbox, password: 'pw' });
    const client1 = graphClient(first, () => result.accessToken);
    const links = [(await fullRound(client1, START)).link];
    for (let i = 0; i < 3; i++) links.push((await fullRound(client1, links[links.length - 1])).link);
    await first.stop();

    const second = await startTestEmulator({}, dir);
    try {
      const { result: again } = await signIn(second, { username: mailbox, password: 'pw' });
      const client2 = graphClient(second, () => again.accessToken);
      const moved = (l: string) => l.replace(first.url, second.url);
      const evicted = await expectGraphError(client2.api(moved(links[0])).header('Prefer', PREFER).get());
      assert.equal(evicted.statusCode, 410, 'the oldest link was evicted before the restart');
      const newest = await fullRound(client2, moved(links[3]));
      assert.deepEqual(newest.ids, [], 'the newest link continues after the restart');
    } finally {
      await second.stop();
    }
  });

  it('honours EMULATOR_DELTA_TOKEN_GENERATIONS=1: only the newest link works', async () => {
    const emulator = await startTestEmulator({ EMULATOR_DELTA_TOKEN_GENERATIONS: '1' });
    try {
      const mailbox = 'narrow@contoso.test';
      await emulator.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'N' });
      await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 20 });
      const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
      const client = graphClient(emulator, () => result.accessToken);
      const old = await fullRound(client, START);
      const newer = await fullRound(client, old.link);
      const gone = await expectGraphError(client.api(old.link).header('Prefer', PREFER).get());
      assert.equal(gone.statusCode, 410);
      assert.match(gone.message, /generation=1;\[highest=2\]\[2\]\.$/);
      assert.deepEqual((await fullRound(client, newer.link)).ids, []);
    } finally {
      await emulator.stop();
    }
  });
});
