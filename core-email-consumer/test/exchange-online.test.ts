// The product against the emulator in its default dialect (what Exchange Online tenants are observed to do):
// error storms, pages that time out, evicted delta tokens, folders created after the sync, notifications in
// the default id format, meeting requests, a pass that keeps failing, and one mailbox's work never
// interleaving. Real PostgreSQL, Redis cluster and Kafka; handlers are driven directly and whatever they
// would publish is captured (the shared broker's consumers know nothing of this test's emulator).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import { MailboxLease, MailboxTokens, microsoftSettingsFrom, QueuedResyncs } from '@core-email/platform';
import {
  EmulatorProcess,
  startEmulatorProcess,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import { ConsumerConfig } from '../src/config/config';
import { RealtimeModule } from '../src/realtime/realtime.module';
import { UpdateEmailSubscriptionHandler } from '../src/realtime/update-email-subscription.handler';
import { MailboxSyncService } from '../src/sync/mailbox-sync.service';
import { assertMailboxExact } from './support/ground-truth';
import { Published, startFeatureContext, emulatorConsumerConfig } from './support/feature-context';
import { handlerContext, syncJob } from './support/sync-app';

/** Pages of more than this many bytes answer 504 (the emulator's stand-in for Graph's gateway timeout). */
const PAGE_BYTES_LIMIT = 256 * 1024;

let emulator: EmulatorProcess;
let app: INestApplicationContext;
let config: ConsumerConfig;
let db: DataSource;
let published: Published[];
let handler: UpdateEmailSubscriptionHandler;
let sync: MailboxSyncService;

before(async () => {
  emulator = await startEmulatorProcess({
    EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES: String(PAGE_BYTES_LIMIT),
  });
  config = await emulatorConsumerConfig(emulator.url, {
    SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
    REALTIME_COALESCE_MS: '0',
    SYNC_PAGE_SIZE: '500',
  });
  ({ app, published } = await startFeatureContext(RealtimeModule, config));
  db = app.get<DataSource>(getDataSourceToken());
  handler = app.get(UpdateEmailSubscriptionHandler);
  sync = app.get(MailboxSyncService);
});

after(async () => {
  await app?.close();
  await emulator?.stop();
});

async function syncedMailbox(messages: number): Promise<ConnectedMailbox> {
  const box = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  if (messages > 0) await emulator.control('POST', `/mailboxes/${box.address}/seed`, { messages });
  await sync.run(syncJob(box.userId, 'full'), handlerContext());
  return box;
}

function change(
  box: ConnectedMailbox,
  changeType: 'created' | 'updated' | 'deleted',
  messageId?: string,
): UpdateEmailSubscriptionMessage {
  return {
    userId: box.userId,
    subscriptionId: randomUUID(),
    kind: 'change',
    changeType,
    resource: `Users/x/Messages/${messageId ?? ''}`,
    messageId,
    receivedAt: new Date().toISOString(),
  };
}

async function deliver(box: ConnectedMailbox, body: Record<string, unknown>): Promise<string> {
  const m = (await emulator.control('POST', `/mailboxes/${box.address}/messages`, {
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
    ...body,
  })) as { id: string };
  return m.id;
}

async function storedRow(box: ConnectedMailbox, id: string) {
  const [r] = (await db.query(
    `SELECT graph_id, folder_graph_id, subject FROM emails WHERE user_id = $1 AND graph_id = $2`,
    [box.userId, id],
  )) as { graph_id: string; folder_graph_id: string; subject: string }[];
  return r;
}

/** A Graph call as the mailbox's app, without the product's Prefer header (the default id format). */
async function graph(box: ConnectedMailbox, method: string, path: string, body?: unknown) {
  const token = await app.get(MailboxTokens).getAccessToken(box.userId);
  const res = await fetch(`${emulator.url}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path} → ${res.status}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

test('a 502 storm longer than the old 3.5 s retry budget: the sync waits it out and the copy is exact', async () => {
  const box = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  await emulator.control('POST', `/mailboxes/${box.address}/seed`, { messages: 300 });
  await emulator.control('PUT', '/faults', { errorRate: 1, errorStatus: 502, pathPattern: '/delta' });
  const storm = setTimeout(() => void emulator.control('DELETE', '/faults'), 6_000);
  try {
    await sync.run(syncJob(box.userId, 'full'), handlerContext());
  } finally {
    clearTimeout(storm);
    await emulator.control('DELETE', '/faults');
  }
  const [run] = (await db.query(`SELECT status FROM sync_runs WHERE user_id = $1`, [box.userId])) as {
    status: string;
  }[];
  assert.equal(run.status, 'finished');
  await assertMailboxExact(db, emulator.control, box.address, box.userId);
});

test('delta pages too large for the gateway (504): the folder asks for smaller pages and the copy is exact', async () => {
  // Seeded bodies are a few KB: 500 of them are far over the limit, a page of 31 is under it.
  const box = await syncedMailbox(600);
  const [run] = (await db.query(`SELECT status FROM sync_runs WHERE user_id = $1`, [box.userId])) as {
    status: string;
  }[];
  assert.equal(run.status, 'finished');
  await assertMailboxExact(db, emulator.control, box.address, box.userId);
});

test('empty passes save the newest delta link: after more passes than Exchange keeps generations, a change still applies without a fresh round', async () => {
  const box = await syncedMailbox(20);
  const rounds = async () =>
    (await db.query(`SELECT graph_id, round::text AS round FROM mail_folders WHERE user_id = $1 ORDER BY 1`, [
      box.userId,
    ])) as { graph_id: string; round: string }[];
  const before = await rounds();
  // A notification that names no message runs every folder's delta; nothing changed, five times.
  for (let i = 0; i < 5; i++) await handler.handle(change(box, 'updated'), handlerContext());
  const id = await deliver(box, { subject: 'after five empty passes' });
  await handler.handle(change(box, 'created'), handlerContext());
  assert.equal((await storedRow(box, id))?.subject, 'after five empty passes');
  assert.deepEqual(await rounds(), before, 'no folder had to start a fresh round (no 410)');
});

test('a folder created after the sync receives mail in push mode: found, synced, nothing lost', async () => {
  const box = await syncedMailbox(10);
  // The user makes a folder in Outlook (the product's token is read-only).
  const folder = (await emulator.control('POST', `/mailboxes/${box.address}/folders`, {
    displayName: 'Created later',
  })) as { id: string };
  const id = await deliver(box, { subject: 'filed by a rule', folder: folder.id });
  await handler.handle(change(box, 'created', id), handlerContext());
  const r = await storedRow(box, id);
  assert.equal(r?.subject, 'filed by a rule');
  const [stored] = (await db.query(
    `SELECT display_name FROM mail_folders WHERE user_id = $1 AND graph_id = $2`,
    [box.userId, r.folder_graph_id],
  )) as { display_name: string }[];
  assert.equal(stored?.display_name, 'Created later');
  await assertMailboxExact(db, emulator.control, box.address, box.userId);
});

test('a deleted notification in the default id format deletes the row it names', async () => {
  const box = await syncedMailbox(10);
  const id = await deliver(box, { subject: 'to delete' });
  await handler.handle(change(box, 'created', id), handlerContext());
  assert.ok(await storedRow(box, id));
  // The same message as a subscription without the ImmutableId header names it.
  const defaultId = String((await graph(box, 'GET', `/me/messages/${id}?$select=id`)).id);
  assert.notEqual(defaultId, id, 'the default id format differs from the immutable one');
  await emulator.control('DELETE', `/mailboxes/${box.address}/messages/${id}`);
  await handler.handle(change(box, 'deleted', defaultId), handlerContext());
  assert.equal(await storedRow(box, id), undefined);
  await assertMailboxExact(db, emulator.control, box.address, box.userId);
});

test('a real-time pass that fails on every attempt becomes an incremental sync of the mailbox, not a dead letter', async () => {
  const box = await syncedMailbox(5);
  const id = await deliver(box, { subject: 'during an outage' });
  await emulator.control('PUT', '/faults', { errorRate: 1, errorStatus: 504, pathPattern: '/messages' });
  published.length = 0;
  try {
    // The last attempt: retrying is over, so the pass must not throw (that would dead-letter it).
    await handler.handle(change(box, 'created', id), handlerContext(config.retry.attempts));
  } finally {
    await emulator.control('DELETE', '/faults');
  }
  const redrive = published.find((p) => p.topic === TOPICS.syncEmail && p.message.userId === box.userId);
  assert.ok(redrive, 'an incremental sync is queued');
  assert.equal(redrive.message.mode, 'incremental');
  await sync.run(redrive.message as never, handlerContext());
  assert.equal((await storedRow(box, id))?.subject, 'during an outage');
});

test('a connected job for a mailbox synced before (a reconnect) asks for a new subscription', async () => {
  const box = await syncedMailbox(3);
  published.length = 0;
  await sync.run({ ...syncJob(box.userId, 'full'), reason: 'connected' }, handlerContext());
  const ask = published.find(
    (p) => p.topic === TOPICS.createEmailSubscription && p.message.userId === box.userId,
  );
  assert.equal(ask?.message.reason, 'reconnected');
});

test("one mailbox's work never interleaves: a real-time pass waits for the sync holding the mailbox", async () => {
  const box = await syncedMailbox(3);
  const other = await syncedMailbox(3);
  const id = await deliver(box, { subject: 'waits for the lease' });
  const lease = app.get(MailboxLease);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const holding = lease.hold(box.userId, () => held);
  const pass = handler.handle(change(box, 'created', id), handlerContext());
  // Another mailbox is not held up.
  const otherId = await deliver(other, { subject: 'not held up' });
  await handler.handle(change(other, 'created', otherId), handlerContext());
  assert.ok(await storedRow(other, otherId));
  assert.equal(await storedRow(box, id), undefined, 'not applied while the mailbox is held');
  release();
  await holding;
  await pass;
  assert.equal((await storedRow(box, id))?.subject, 'waits for the lease');
});

test('meeting requests (eventMessage items in a mail folder) are stored like any message', async () => {
  const box = await syncedMailbox(5);
  const id = await deliver(box, { subject: 'Planning meeting', type: 'eventMessage' });
  await handler.handle(change(box, 'created', id), handlerContext());
  assert.equal((await storedRow(box, id))?.subject, 'Planning meeting');
  // And through a sync's delta pages too.
  await sync.run(syncJob(box.userId, 'full'), handlerContext());
  await assertMailboxExact(db, emulator.control, box.address, box.userId);
});

test("a resync the consumer has started frees the mailbox's slot: the next press queues a new run", async () => {
  const box = await syncedMailbox(3);
  const queued = app.get(QueuedResyncs);
  const job = syncJob(box.userId, 'incremental');
  assert.equal(await queued.claim(box.userId, 'incremental', job.runId), null);
  assert.equal(
    await queued.claim(box.userId, 'incremental', randomUUID()),
    job.runId,
    'coalesced while queued',
  );
  await sync.run(job, handlerContext());
  assert.equal(
    await queued.claim(box.userId, 'incremental', randomUUID()),
    null,
    'a new run once it started',
  );
});

test('a message moved into a folder created since the last listing is found there, not lost', async () => {
  const box = await syncedMailbox(10);
  // A pass that lists the folders now, so the next one has no listing due.
  await handler.handle(change(box, 'updated'), handlerContext());
  const folder = (await emulator.control('POST', `/mailboxes/${box.address}/folders`, {
    displayName: 'Moved into',
  })) as { id: string };
  const id = await deliver(box, { subject: 'to be filed' });
  await handler.handle(change(box, 'created', id), handlerContext());
  await emulator.control('POST', `/mailboxes/${box.address}/messages/${id}/move`, { destination: folder.id });
  // A notification that names no message: the deltas see the message leave the inbox.
  await handler.handle(change(box, 'updated'), handlerContext());
  assert.equal((await storedRow(box, id))?.folder_graph_id, folder.id);
  await assertMailboxExact(db, emulator.control, box.address, box.userId);
});

test('a sync job for a user deleted since it was queued ends quietly: no retry, no dead letter', async () => {
  const gone = randomUUID();
  await sync.run(syncJob(gone, 'full'), handlerContext());
  const runs = (await db.query(`SELECT 1 FROM sync_runs WHERE user_id = $1`, [gone])) as unknown[];
  assert.equal(runs.length, 0);
});
