// Mailbox sync against the real PostgreSQL, Redis cluster and Kafka, and a graph emulator of the test's own
// (its throttling knobs are global). Every check compares the table with the emulator's own ground truth.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  MicrosoftSettings,
  microsoftSettingsFrom,
  readMailWriteMark,
  REDIS_CLUSTER,
  runMigrations,
} from '@core-email/platform';
import type { Cluster } from 'ioredis';
import {
  EmulatorProcess,
  startEmulatorProcess,
  listen,
  testKafka,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import { ConsumerConfig } from '../src/config/config';
import { MailboxSyncService } from '../src/sync/mailbox-sync.service';
import { MailFoldersRepository } from '../src/sync/repositories/mail-folders.repository';
import { handlerContext, startSyncContext, syncJob } from './support/sync-app';
import { emulatorEnv } from './support/consumer-process';

let emulator: EmulatorProcess;
let app: INestApplicationContext;
let config: ConsumerConfig;
let db: DataSource;
let sync: MailboxSyncService;
let settings: MicrosoftSettings;
let acks: Awaited<ReturnType<typeof listen>>;
let big: ConnectedMailbox;

before(async () => {
  emulator = await startEmulatorProcess({});
  const overrides = {
    ...emulatorEnv(emulator.url),
    SYNC_PAGE_SIZE: '500',
  };
  ({ app, config } = await startSyncContext(overrides));
  await runMigrations(config.infra.database);
  db = app.get<DataSource>(getDataSourceToken());
  sync = app.get(MailboxSyncService);
  settings = microsoftSettingsFrom(config.env);
  acks = await listen(testKafka(), 'email_ack');
  big = await connectMailbox(db, settings, emulator.control);
  await emulator.control('POST', `/mailboxes/${big.address}/seed`, { messages: 5000 });
});

after(async () => {
  await acks?.stop();
  await app?.close();
  await emulator?.stop();
});

interface Truth {
  id: string;
  changeKey: string;
  subject: string;
  isRead: boolean;
  flagStatus: string;
  importance: string;
  categories: string[];
  parentFolderId: string;
}

/** The emulator's state, message by message, in every folder (child folders included). */
async function groundTruth(address: string): Promise<Map<string, Truth>> {
  const mailbox = (await emulator.control('GET', `/mailboxes/${address}`)) as { folders: { id: string }[] };
  const all = new Map<string, Truth>();
  for (const folder of mailbox.folders) {
    const { value } = (await emulator.control(
      'GET',
      `/mailboxes/${address}/folders/${encodeURIComponent(folder.id)}/messages`,
    )) as { value: Truth[] };
    for (const m of value) all.set(m.id, m);
  }
  return all;
}

async function assertExact(m: ConnectedMailbox): Promise<number> {
  const truth = await groundTruth(m.address);
  const rows = (await db.query(
    `SELECT graph_id, change_key, subject, is_read, flag_status, importance, categories, folder_graph_id,
            body_content IS NOT NULL AS has_body
       FROM emails WHERE user_id = $1`,
    [m.userId],
  )) as Array<Record<string, unknown>>;
  assert.equal(rows.length, truth.size, 'row count equals the mailbox');
  for (const row of rows) {
    const t = truth.get(row.graph_id as string);
    assert.ok(t, `row ${row.graph_id as string} exists in the mailbox`);
    assert.deepEqual(
      [
        row.change_key,
        row.subject,
        row.is_read,
        row.flag_status,
        row.importance,
        row.categories,
        row.folder_graph_id,
        row.has_body,
      ],
      [t.changeKey, t.subject, t.isRead, t.flagStatus, t.importance, t.categories, t.parentFolderId, true],
      `fields of ${t.id}`,
    );
  }
  return rows.length;
}

async function runOf(runId: string) {
  const [row] = (await db.query(`SELECT status, error, messages_synced FROM sync_runs WHERE id = $1`, [
    runId,
  ])) as {
    status: string;
    error: string | null;
    messages_synced: number;
  }[];
  return row;
}

function acksOf(runId: string) {
  return acks.received.map((r) => JSON.parse(r.value)).filter((a) => a.runId === runId);
}

test('a 5,000-message mailbox over several folders syncs exactly', async () => {
  const job = syncJob(big.userId, 'full');
  const ctx = handlerContext();
  const t0 = Date.now();
  await sync.run(job, ctx);
  const ms = Date.now() - t0;
  const count = await assertExact(big);
  assert.equal(count, 5000);
  const folders = (await db.query(
    `SELECT display_name, parent_graph_id FROM mail_folders WHERE user_id = $1`,
    [big.userId],
  )) as { display_name: string }[];
  assert.ok(
    folders.some((f) => f.display_name === 'Receipts'),
    'the child folder Inbox/Receipts is listed',
  );
  assert.equal((await runOf(job.runId)).status, 'finished');
  assert.ok(ctx.heartbeats > 0);
  // The read API's caches of this user were invalidated, with the position a replica must have replayed.
  const mark = await readMailWriteMark(app.get<Cluster>(REDIS_CLUSTER), big.userId);
  assert.ok(Number(mark.version) > 0, 'the user mail version was bumped');
  assert.match(mark.lsn ?? '', /^[0-9A-F]+\/[0-9A-F]+$/);
  console.log(`full sync: 5000 messages in ${ms} ms = ${Math.round((5000 * 1000) / ms)} messages/s`);
});

test('changes between syncs converge exactly on an incremental resync', async () => {
  const before = [...(await groundTruth(big.address)).values()];
  const archive = before.find((m) => m.parentFolderId !== before[0].parentFolderId)!.parentFolderId;
  const c = (method: string, path: string, body?: unknown) =>
    emulator.control(method, `/mailboxes/${big.address}${path}`, body);
  await c('POST', '/messages', {
    subject: 'brand new',
    bodyHtml: '<p>hi</p>',
    from: { name: 'N', address: 'n@x.test' },
  });
  await c('PATCH', `/messages/${before[1].id}`, { isRead: !before[1].isRead });
  await c('PATCH', `/messages/${before[2].id}`, { flagStatus: 'flagged' });
  await c('POST', `/messages/${before[3].id}/move`, {
    destination: archive === before[3].parentFolderId ? 'inbox' : archive,
  });
  await c('DELETE', `/messages/${before[4].id}`);
  await c('DELETE', `/messages/${before[5].id}?soft=true`);
  const redis = app.get<Cluster>(REDIS_CLUSTER);
  const versionBefore = Number((await readMailWriteMark(redis, big.userId)).version);
  const job = syncJob(big.userId, 'incremental');
  await sync.run(job, handlerContext());
  await assertExact(big);
  assert.equal((await runOf(job.runId)).status, 'finished');
  const versionAfter = Number((await readMailWriteMark(redis, big.userId)).version);
  assert.ok(versionAfter > versionBefore, 'changed mail invalidates the read caches');
  // Nothing changed since: only the folder listing (stored at every run) invalidates, not each folder's pass.
  await sync.run(syncJob(big.userId, 'incremental'), handlerContext());
  assert.equal(Number((await readMailWriteMark(redis, big.userId)).version), versionAfter + 1);
});

test('a 410 SyncStateNotFound mid-sync restarts the folder and reconciles exactly', async () => {
  const truth = [...(await groundTruth(big.address)).values()];
  // Deleted while no sync runs, then every token expires: the fresh round never reports these as removed.
  for (const m of truth.slice(10, 15))
    await emulator.control('DELETE', `/mailboxes/${big.address}/messages/${m.id}`);
  const job = syncJob(big.userId, 'full');
  const running = sync.run(job, handlerContext());
  await sleep(150);
  await emulator.control('POST', `/mailboxes/${big.address}/expire-delta-tokens`);
  await running;
  await emulator.control('POST', `/mailboxes/${big.address}/expire-delta-tokens`);
  const next = syncJob(big.userId, 'incremental');
  await sync.run(next, handlerContext());
  await assertExact(big);
  assert.equal((await runOf(next.runId)).status, 'finished');
});

test('with injected 429 bursts and 503s the sync completes, never over 4 at once, Retry-After honoured', async () => {
  const m = await connectMailbox(db, settings, emulator.control);
  await emulator.control('POST', `/mailboxes/${m.address}/seed`, { messages: 2000 });
  await emulator.control('PUT', '/faults', {
    throttleNext: 5,
    retryAfterSeconds: 1,
    errorRate: 0.3,
    errorStatus: 503,
  });
  const job = syncJob(m.userId, 'full');
  const t0 = Date.now();
  try {
    await sync.run(job, handlerContext());
  } finally {
    await emulator.control('DELETE', '/faults');
  }
  const ms = Date.now() - t0;
  await assertExact(m);
  const counters = (await emulator.control('GET', `/mailboxes/${m.address}/counters`)) as {
    highestConcurrency: number;
    throttled: number;
  };
  assert.ok(counters.highestConcurrency <= 4, `highest concurrency ${counters.highestConcurrency}`);
  // Five consecutive throttles, each Retry-After: 1 s, paused the whole mailbox before any retry.
  assert.ok(ms >= 5000, `took ${ms} ms`);
  assert.equal((await runOf(job.runId)).status, 'finished');
});

test('text PostgreSQL cannot hold (NUL, lone surrogates) is stored cleaned, beside the rest of its page', async () => {
  const m = await connectMailbox(db, settings, emulator.control);
  const hostile = [
    { subject: 'nul a\u0000b', bodyHtml: '<p>\u0000x</p>', categories: ['c\u0000'] },
    { subject: 'lone \ud800 surrogate', bodyHtml: '<p>\udc00</p>' },
    // A backslash, "u" and four zeros: plain text that only looks like an escape.
    { subject: 'text \\u0000 \\ud800', from: { name: 'N\u0000\udbff', address: 'n@x.test' } },
  ];
  for (const body of hostile) await emulator.control('POST', `/mailboxes/${m.address}/messages`, body);
  const job = syncJob(m.userId, 'full');
  await sync.run(job, handlerContext());
  assert.equal((await runOf(job.runId)).status, 'finished');
  const total = (await groundTruth(m.address)).size;
  const rows = (await db.query(
    `SELECT subject, body_content, categories, from_name FROM emails
      WHERE user_id = $1 AND subject ~ '^(nul|lone|text) ' ORDER BY subject`,
    [m.userId],
  )) as Array<{ subject: string; body_content: string; categories: string[]; from_name: string }>;
  assert.deepEqual(
    rows.map((r) => [r.subject, r.body_content, r.categories]),
    [
      ['lone \ufffd surrogate', '<p>\ufffd</p>', []],
      ['nul ab', '<p>x</p>', ['c']],
      ['text \\u0000 \\ud800', '<html><body><p>Hello from the emulator.</p></body></html>', []],
    ],
  );
  assert.equal(rows[2].from_name, 'N\ufffd');
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [
    m.userId,
  ])) as {
    n: number;
  }[];
  assert.equal(n, total, 'every message of the mailbox is stored');
});

test('a folder name PostgreSQL cannot hold is stored cleaned', async () => {
  const m = await connectMailbox(db, settings, emulator.control);
  const folders = app.get(MailFoldersRepository);
  const [stored] = await folders.upsertListing(db.manager, m.userId, [
    { id: 'hostile-folder', displayName: 'a\u0000b \ud800 \\u0000', parentFolderId: 'p\u0000' },
  ]);
  assert.equal(stored.displayName, 'ab \ufffd \\u0000');
});

test('an empty mailbox finishes with an email_ack finished', async () => {
  const m = await connectMailbox(db, settings, emulator.control);
  const job = syncJob(m.userId, 'full');
  await sync.run(job, handlerContext());
  assert.equal((await runOf(job.runId)).status, 'finished');
  const deadline = Date.now() + 10_000;
  while (!acksOf(job.runId).some((a) => a.status === 'finished') && Date.now() < deadline) {
    await sleep(100);
  }
  const finished = acksOf(job.runId).find((a) => a.status === 'finished');
  assert.ok(finished, 'a finished ack');
  assert.equal(finished.done, 0);
  assert.equal(finished.total, 0);
});

test('a revoked grant ends the run failed with reason reauth_required, without a retry loop', async () => {
  const m = await connectMailbox(db, settings, emulator.control);
  await emulator.control('POST', `/mailboxes/${m.address}/revoke-grants`, {});
  await db.query(
    `UPDATE outlook_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE user_id = $1`,
    [m.userId],
  );
  const job = syncJob(m.userId, 'full');
  await sync.run(job, handlerContext()); // returns: nothing to retry
  const run = await runOf(job.runId);
  assert.deepEqual([run.status, run.error], ['failed', 'reauth_required']);
});

test('a re-delivered sync_email (same runId) does nothing twice', async () => {
  const m = await connectMailbox(db, settings, emulator.control);
  await emulator.control('POST', `/mailboxes/${m.address}/seed`, { messages: 50 });
  const job = syncJob(m.userId, 'full');
  await sync.run(job, handlerContext());
  const counted = async () =>
    ((await emulator.control('GET', `/mailboxes/${m.address}/counters`)) as { requests: number }).requests;
  const requests = await counted();
  await sync.run(job, handlerContext());
  assert.equal(await counted(), requests, 'no Graph request for an ended run');
  await assertExact(m);
});
