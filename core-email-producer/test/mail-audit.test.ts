// POST /api/mail/audit queues one audit_mailbox job per mailbox at a time (coalesced), refuses without a
// connected mailbox and on bad input; GET /api/mail/audit shows the caller's own latest audit only.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import { requestJson, stackEnv } from '@core-email/platform/testing';
import { RunningProducer, startProducer } from './support/app';
import { connectOutlook, newMailbox } from './support/outlook';
import { apiClient, ApiClient, clientAddress, newUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
let db: DataSource;
let consumer: Consumer;
const received: Array<Record<string, unknown>> = [];

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
  db = producer.app.get(DataSource);
  // A throwaway group reading from the latest offsets: only jobs published by this file's tests.
  const kafka = new Kafka({
    brokers: stackEnv(process.env).KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  consumer = kafka.consumer({ groupId: `mail-audit-test-${Date.now()}`, maxWaitTimeInMs: 200 });
  const ready = new Promise<void>((r) => consumer.on(consumer.events.FETCH, () => r()));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.auditMailbox, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: String(message.key), ...JSON.parse(String(message.value)) });
    },
  });
  await ready;
});

after(async () => {
  await consumer?.disconnect();
  await producer?.app.close();
});

async function jobsOf(userId: string, atLeast: number): Promise<Array<Record<string, unknown>>> {
  for (let i = 0; i < 200; i++) {
    const mine = received.filter((m) => m.userId === userId);
    if (mine.length >= atLeast) return mine;
    await sleep(50);
  }
  throw new Error(`fewer than ${atLeast} audit_mailbox jobs for ${userId}`);
}

interface FolderRow {
  folder: string;
  name: string;
  status: 'complete' | 'repaired' | 'failed';
  missing?: number;
  error?: string;
}

/** One recorded audit of `userId`, `hoursAgo` hours ago, as the consumer writes it. */
async function recordAudit(userId: string, hoursAgo: number, folders: FolderRow[]): Promise<void> {
  const auditId = randomUUID();
  for (const f of folders) {
    await db.query(
      `INSERT INTO mail_audits (audit_id, user_id, folder_graph_id, folder_name, checked_at, stored, at_graph,
         missing, extra, stale, repaired, status, error)
       VALUES ($1, $2, $3, $4, now() - make_interval(hours => $5), 10, 10 + $6, $6, 0, 0,
         CASE WHEN $7 = 'repaired' THEN $6 ELSE 0 END, $7, $8)`,
      [auditId, userId, f.folder, f.name, hoursAgo, f.missing ?? 0, f.status, f.error ?? null],
    );
  }
}

test('POST queues one audit for a connected mailbox; asking again while it is pending joins it', async () => {
  const user = await newUser(api);
  await connectOutlook(producer, api, user, await newMailbox());

  const first = await api.call('POST', '/api/mail/audit', {}, user.token);
  assert.equal(first.status, 202, JSON.stringify(first.body));
  assert.equal(first.body.alreadyPending, false);
  const [job] = await jobsOf(user.id, 1);
  assert.deepEqual(
    [job.key, job.userId, job.reason, job.requestedAt],
    [user.id, user.id, 'requested', first.body.requestedAt],
  );

  const again = await api.call('POST', '/api/mail/audit', undefined, user.token);
  assert.equal(again.status, 202);
  assert.deepEqual(again.body, { requestedAt: first.body.requestedAt, alreadyPending: true });
  await sleep(1_000);
  assert.equal((await jobsOf(user.id, 1)).length, 1, 'no second job while one is pending');

  const status = await api.call('GET', '/api/mail/audit', undefined, user.token);
  assert.equal(status.status, 200);
  assert.equal(status.body.requestedAt, first.body.requestedAt, 'GET shows the pending request');

  // The consumer clears the request when an audit that started after it ends; then a new one is queued.
  await db.query(`UPDATE mail_audit_mailboxes SET requested_at = NULL WHERE user_id = $1`, [user.id]);
  const next = await api.call('POST', '/api/mail/audit', {}, user.token);
  assert.equal(next.body.alreadyPending, false);
  assert.equal((await jobsOf(user.id, 2)).length, 2);
});

test('no connected mailbox: a clear 409 (never connected, or disconnected), and nothing queued', async () => {
  const user = await newUser(api);
  const never = await api.call('POST', '/api/mail/audit', {}, user.token);
  assert.equal(never.status, 409);
  assert.match(never.body.message, /no mailbox is connected/);

  await connectOutlook(producer, api, user, await newMailbox());
  assert.equal((await api.call('DELETE', '/api/outlook', undefined, user.token)).status, 204);
  const disconnected = await api.call('POST', '/api/mail/audit', {}, user.token);
  assert.equal(disconnected.status, 409);
  assert.match(disconnected.body.message, /disconnected/);
  assert.equal(received.filter((m) => m.userId === user.id).length, 0);
});

test('bad input is a 400 naming it; no session is a 401', async () => {
  const user = await newUser(api);
  const field = await api.call('POST', '/api/mail/audit', { folderId: 'inbox' }, user.token);
  assert.equal(field.status, 400);
  assert.match(field.body.message[0], /folderId/);
  const malformed = await requestJson(`${producer.url}/api/mail/audit`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${user.token}`,
      'x-forwarded-for': clientAddress(),
    },
    body: '{"oops',
  });
  assert.equal(malformed.status, 400);
  const query = await api.call('GET', '/api/mail/audit?userId=someone-else', undefined, user.token);
  assert.equal(query.status, 400);
  assert.match(query.body.message[0], /userId/);
  assert.equal((await api.call('GET', '/api/mail/audit')).status, 401);
  assert.equal((await api.call('POST', '/api/mail/audit', {})).status, 401);
});

test('GET shows the caller’s own latest audit per folder and when the mailbox was last proven complete', async () => {
  const alice = await newUser(api);
  const bob = await newUser(api);
  await recordAudit(alice.id, 30, [
    { folder: 'inbox', name: 'Inbox', status: 'complete' },
    { folder: 'archive', name: 'Archive', status: 'repaired', missing: 2 },
  ]);
  await recordAudit(alice.id, 2, [
    { folder: 'inbox', name: 'Inbox', status: 'complete' },
    { folder: 'archive', name: 'Archive', status: 'failed', error: 'listing failed: graph_error: 504' },
  ]);
  await recordAudit(bob.id, 1, [{ folder: 'bob-inbox', name: 'Bob Inbox', status: 'repaired', missing: 1 }]);

  const mine = await api.call('GET', '/api/mail/audit', undefined, alice.token);
  assert.equal(mine.status, 200);
  assert.equal(mine.body.status, 'failed', 'the latest audit failed in one folder');
  assert.deepEqual(
    mine.body.folders.map((f: Record<string, unknown>) => [f.folderId, f.status, f.error]),
    [
      ['archive', 'failed', 'listing failed: graph_error: 504'],
      ['inbox', 'complete', null],
    ],
  );
  const hoursAgo = (iso: string) => (Date.now() - Date.parse(iso)) / 3_600_000;
  assert.ok(Math.abs(hoursAgo(mine.body.checkedAt) - 2) < 0.1, 'checked two hours ago');
  assert.ok(
    Math.abs(hoursAgo(mine.body.lastProvenCompleteAt) - 30) < 0.1,
    'proven complete by the older audit, all of whose folders were complete or repaired',
  );
  const inbox = mine.body.folders[1];
  assert.deepEqual(Object.keys(inbox).sort(), [
    'atGraph',
    'checkedAt',
    'error',
    'extra',
    'folderId',
    'missing',
    'name',
    'repaired',
    'stale',
    'status',
    'stored',
  ]);
  assert.equal(mine.body.requestedAt, null);

  const theirs = await api.call('GET', '/api/mail/audit', undefined, bob.token);
  assert.deepEqual(
    theirs.body.folders.map((f: Record<string, unknown>) => [f.folderId, f.missing, f.repaired]),
    [['bob-inbox', 1, 1]],
  );
  assert.equal(theirs.body.status, 'repaired');
  assert.ok(theirs.body.lastProvenCompleteAt);

  const nobody = await api.call('GET', '/api/mail/audit', undefined, (await newUser(api)).token);
  assert.deepEqual(nobody.body, {
    requestedAt: null,
    lastProvenCompleteAt: null,
    checkedAt: null,
    status: null,
    folders: [],
  });
});

test('OpenAPI documents both', async () => {
  const doc = await api.call('GET', '/api/docs-json');
  const path = doc.body.paths['/api/mail/audit'];
  assert.ok(path?.post?.responses?.['202'], 'POST 202');
  assert.ok(path.post.responses['409'], 'POST 409');
  assert.ok(path?.get?.responses?.['200'], 'GET 200');
});
