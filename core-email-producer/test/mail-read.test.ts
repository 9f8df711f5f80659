// The read API against the real stack: rows are put on the primary by SQL (the sync is tested elsewhere),
// then read through HTTP, the Redis cluster cache and the replica.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from 'ioredis';
import { DataSource } from 'typeorm';
import { recordMailWrite, REDIS_CLUSTER } from '@core-email/platform';
import { encodeCursor } from '../src/mail/mail-cursor';
import { RunningProducer, startProducer } from './support/app';
import { expectedOrder, insertEmails, insertFolder } from './support/mail';
import { apiClient, ApiClient, newUser, TestUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
let db: DataSource;
let redis: Cluster;

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
  db = producer.app.get(DataSource);
  redis = producer.app.get<Cluster>(REDIS_CLUSTER);
});

after(async () => {
  await producer?.app.close();
});

/** What the consumer does after each committed page. */
const written = (userId: string) => recordMailWrite(redis, db, userId);

async function get(user: TestUser, path: string) {
  return api.call('GET', path, undefined, user.token);
}

/** Every page from the first, following nextCursor; fails on a repeated cursor or a non-200. */
async function allPages(user: TestUser, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const suffix: string = cursor ? `&cursor=${cursor}` : '';
    const res = await get(user, `/api/mail/messages?${query}${suffix}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    ids.push(...res.body.items.map((m: { id: string }) => m.id));
    assert.notEqual(res.body.nextCursor, cursor);
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 100);
  return { ids, pages };
}

describe('listing messages', () => {
  test('250 rows (shared times, some without a time) come back once each, newest first, 100 a page', async () => {
    const user = await newUser(api);
    await insertEmails(db, user.id, 250, {
      receivedAt: (i) =>
        i % 50 === 7 ? null : new Date(Date.UTC(2025, 0, 1) + (i % 90) * 1000).toISOString(),
    });
    await written(user.id);
    const { ids, pages } = await allPages(user, 'limit=100');
    assert.equal(pages, 3);
    assert.equal(new Set(ids).size, 250);
    assert.deepEqual(ids, await expectedOrder(db, user.id));

    const first = await get(user, '/api/mail/messages');
    assert.equal(first.body.items.length, 50, 'default limit');
    const m = first.body.items[0];
    assert.deepEqual(Object.keys(m).sort(), [
      'bodyPreview',
      'flagStatus',
      'folderId',
      'from',
      'hasAttachments',
      'id',
      'importance',
      'isRead',
      'receivedAt',
      'sender',
      'subject',
      'toRecipients',
      'userName',
    ]);
    assert.equal(m.userName, 'Test User');
    assert.deepEqual(m.sender, { name: 'Sender', address: 'sender@contoso.test' });
    assert.deepEqual(m.toRecipients, [{ name: 'To', address: 'to@contoso.test' }]);
  });

  test('folderId keeps one folder; an unknown folder is an empty page', async () => {
    const user = await newUser(api);
    await insertEmails(db, user.id, 30, { folderId: 'inbox' });
    const archived = await insertEmails(db, user.id, 25, { folderId: 'archive' });
    await written(user.id);
    const { ids } = await allPages(user, 'folderId=archive&limit=10');
    assert.deepEqual(new Set(ids), new Set(archived.map((e) => e.graphId)));
    assert.deepEqual(ids, await expectedOrder(db, user.id, 'archive'));
    const none = await get(user, '/api/mail/messages?folderId=nope');
    assert.deepEqual(none.body, { items: [], nextCursor: null });
  });
});

describe('isolation', () => {
  test("another user's message id is a 404 like a missing one; lists and forged cursors stay in your rows", async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const aliceMail = await insertEmails(db, alice.id, 5, { prefix: 'alice' });
    const bobMail = await insertEmails(db, bob.id, 5, { prefix: 'bob' });
    await written(alice.id);
    await written(bob.id);

    const own = await get(alice, `/api/mail/messages/${encodeURIComponent(aliceMail[0].graphId)}`);
    assert.equal(own.status, 200);
    const theirs = await get(alice, `/api/mail/messages/${encodeURIComponent(bobMail[0].graphId)}`);
    const missing = await get(alice, '/api/mail/messages/does-not-exist');
    assert.equal(theirs.status, 404);
    assert.deepEqual(theirs.body, missing.body);

    const bobList = await get(bob, '/api/mail/messages?limit=100');
    assert.ok(bobList.body.items.every((m: { id: string }) => m.id.startsWith('bob-')));
    assert.equal(bobList.body.items.length, 5);

    // A cursor made from Bob's newest row (its real key), and one positioned before every row there is.
    const [bobRow] = (await db.query(
      `SELECT id::text AS id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS r
       FROM emails WHERE user_id = $1 ORDER BY received_at DESC, id DESC LIMIT 1`,
      [bob.id],
    )) as { id: string; r: string }[];
    for (const cursor of [
      encodeCursor({ receivedAt: bobRow.r, id: bobRow.id }),
      encodeCursor({ receivedAt: '9999-12-31T00:00:00.000000Z', id: '9223372036854775807' }),
      encodeCursor({ receivedAt: null, id: '9223372036854775807' }),
    ]) {
      const res = await get(alice, `/api/mail/messages?limit=100&cursor=${cursor}`);
      assert.equal(res.status, 200);
      const ids = res.body.items.map((m: { id: string }) => m.id);
      assert.ok(
        ids.every((id: string) => id.startsWith('alice-')),
        JSON.stringify(ids),
      );
    }
    const everything = await get(
      alice,
      `/api/mail/messages?cursor=${encodeCursor({ receivedAt: null, id: '9223372036854775807' })}`,
    );
    assert.deepEqual(
      new Set(everything.body.items.map((m: { id: string }) => m.id)),
      new Set(aliceMail.map((e) => e.graphId)),
    );
  });
});

describe('malformed requests', () => {
  test('bad limit, cursor, folderId or id is a 400 naming the field, never a 500', async () => {
    const user = await newUser(api);
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=', 'cursor'],
      ['cursor=***', 'cursor'],
      [`cursor=${b64('not json')}`, 'cursor'],
      [`cursor=${b64('[]')}`, 'cursor'],
      [`cursor=${b64('{"r":null,"i":"1","x":1}')}`, 'cursor'],
      [`cursor=${b64('{"r":null,"i":"0"}')}`, 'cursor'],
      [`cursor=${b64('{"r":null,"i":"99999999999999999999"}')}`, 'cursor'],
      [`cursor=${b64('{"r":null,"i":"9223372036854775808"}')}`, 'cursor'],
      [`cursor=${b64('{"r":"2025-13-45T99:99:99.000000Z","i":"5"}')}`, 'cursor'],
      [`cursor=${b64('{"r":"yesterday","i":"5"}')}`, 'cursor'],
      // A date that does not exist (V8 would roll it over to March 1st; PostgreSQL refuses it).
      [`cursor=${b64('{"r":"2024-02-30T10:00:00.000000Z","i":"5"}')}`, 'cursor'],
      [`cursor=${b64('{"r":"2023-02-29T10:00:00.000000Z","i":"5"}')}`, 'cursor'],
      [`cursor=${b64('{"r":null,"i":5}')}`, 'cursor'],
      [`cursor=${'A'.repeat(5000)}`, 'cursor'],
      ['cursor=a&cursor=b', 'cursor'],
      ['folderId=', 'folderId'],
      [`folderId=${'f'.repeat(600)}`, 'folderId'],
      ['folderId=in%00box', 'folderId'],
      ['folderId=in%20box', 'folderId'],
    ];
    for (const [query, field] of cases) {
      const res = await get(user, `/api/mail/messages?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.ok(
        (res.body.message as string[]).some((m) => m.startsWith(`${field}:`)),
        `${query}: ${JSON.stringify(res.body.message)}`,
      );
    }
    for (const id of ['x'.repeat(600), 'AAMk%00AAA', 'AAMk%0AAAA']) {
      const bad = await get(user, `/api/mail/messages/${id}`);
      assert.equal(bad.status, 400, `${id}: ${bad.status}`);
      assert.match(bad.body.message[0], /^id:/);
    }
    // A real date on a leap day is still a cursor.
    const leap = await get(
      user,
      `/api/mail/messages?cursor=${b64('{"r":"2024-02-29T10:00:00.000000Z","i":"5"}')}`,
    );
    assert.equal(leap.status, 200);
    const anonymous = await api.call('GET', '/api/mail/messages');
    assert.equal(anonymous.status, 401);
  });
});

describe('one message, folders, sync status', () => {
  test('a message in full', async () => {
    const user = await newUser(api);
    const [mail] = await insertEmails(db, user.id, 1);
    await written(user.id);
    const res = await get(user, `/api/mail/messages/${encodeURIComponent(mail.graphId)}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, mail.graphId);
    assert.deepEqual(res.body.body, { content: '<p>subject 0</p>', contentType: 'html' });
    assert.deepEqual(res.body.ccRecipients, [{ name: 'Cc', address: 'cc@contoso.test' }]);
    assert.deepEqual(res.body.bccRecipients, []);
    assert.deepEqual(res.body.categories, ['Blue']);
    assert.equal(res.body.webLink, `https://outlook.test/${mail.graphId}`);
    assert.equal(res.body.internetMessageId, `<${mail.graphId}@contoso.test>`);
    assert.equal(res.body.conversationId, 'conv-1');
    assert.equal(res.body.receivedAt, new Date(mail.receivedAt!).toISOString());
    assert.equal(res.body.sentAt, null);
  });

  test('folders with Outlook counts and stored counts', async () => {
    const user = await newUser(api);
    await insertFolder(db, user.id, { id: 'inbox', name: 'Inbox', total: 12, unread: 3 });
    await insertFolder(db, user.id, { id: 'sub', name: 'Projects', parentId: 'inbox', total: 2 });
    await insertEmails(db, user.id, 10, { folderId: 'inbox' });
    await written(user.id);
    const res = await get(user, '/api/mail/folders');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items, [
      { id: 'inbox', parentId: null, name: 'Inbox', totalCount: 12, unreadCount: 3, storedCount: 10 },
      { id: 'sub', parentId: 'inbox', name: 'Projects', totalCount: 2, unreadCount: 0, storedCount: 0 },
    ]);
  });

  test('sync status: not connected and no run, then the latest run', async () => {
    const user = await newUser(api);
    assert.deepEqual((await get(user, '/api/mail/sync')).body, {
      connection: 'not_connected',
      deliveryMode: null,
      run: null,
    });
    const runId = '00000000-0000-4000-8000-' + user.id.slice(-12);
    await db.query(
      `INSERT INTO sync_runs (id, user_id, mode, reason, status, started_at, messages_synced, error)
       VALUES ($1, $2, 'full', 'connected', 'failed', now(), 42, 'reauth_required')`,
      [runId, user.id],
    );
    await written(user.id);
    const res = await get(user, '/api/mail/sync');
    assert.equal(res.body.connection, 'not_connected');
    assert.equal(res.body.run.id, runId);
    assert.equal(res.body.run.status, 'failed');
    assert.equal(res.body.run.messagesSynced, 42);
    assert.equal(res.body.run.error, 'reauth_required');
    assert.equal(res.body.run.finishedAt, null);
  });
});

test('OpenAPI documents every mail endpoint with its answers', async () => {
  const doc = (await api.call('GET', '/api/docs-json')).body;
  for (const [path, method, codes] of [
    ['/api/mail/messages', 'get', ['200', '400', '401']],
    ['/api/mail/messages/{id}', 'get', ['200', '404', '401']],
    ['/api/mail/folders', 'get', ['200', '401']],
    ['/api/mail/sync', 'get', ['200', '401']],
    ['/api/mail/resync', 'post', ['202', '400', '409', '401']],
  ] as const) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path}`);
    for (const code of codes) assert.ok(op.responses[code], `${method} ${path} ${code}`);
  }
  const params = doc.paths['/api/mail/messages'].get.parameters.map((p: { name: string }) => p.name);
  assert.deepEqual(params.sort(), ['cursor', 'folderId', 'limit']);
  assert.ok(doc.paths['/api/mail/resync'].post.requestBody);
});
