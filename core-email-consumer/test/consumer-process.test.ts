// The real consumer as child processes (`node dist/src/main.js`), fed `sync_email` through Kafka with the
// project's KafkaPublisher, against the real stack and an emulator process of this file's own. Each test
// uses a consumer group of its own whose offsets start at the topic's end (see support/kafka-group.ts);
// jobs other engineers publish meanwhile may still reach these consumers (and fail fast: their mailboxes
// are unknown to this emulator), so every assertion is about this file's own users and runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import {
  KafkaPublisher,
  MicrosoftSettings,
  microsoftSettingsFrom,
  runMigrations,
} from '@core-email/platform';
import {
  eventually,
  EmulatorProcess,
  startEmulatorProcess,
  listen,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import {
  ConsumerProcess,
  emulatorEnv,
  finishedUsers,
  startConsumerProcess,
} from './support/consumer-process';
import { assertMailboxExact, foldersOf, listingRequests, servedRequests } from './support/ground-truth';
import { groupAtTopicEnd, partitionOf, testKafka, waitForGroup } from './support/kafka-group';
import { startSyncContext, syncJob } from './support/sync-app';

let emulator: EmulatorProcess;
let app: INestApplicationContext;
let db: DataSource;
let settings: MicrosoftSettings;
let kafka: Kafka;
let publisher: KafkaPublisher;
const consumers: ConsumerProcess[] = [];

before(async () => {
  emulator = await startEmulatorProcess({});
  // The Nest context is only this test's database and Microsoft settings (to connect mailboxes).
  const started = await startSyncContext(emulatorEnv(emulator.url));
  app = started.app;
  await runMigrations(started.config.infra.database);
  db = app.get<DataSource>(getDataSourceToken());
  settings = microsoftSettingsFrom(started.config.env);
  kafka = testKafka();
  publisher = new KafkaPublisher(kafka);
});

after(async () => {
  await Promise.all(consumers.map((c) => c.kill('SIGKILL')));
  await publisher?.disconnect();
  await app?.close();
  await emulator?.stop();
});

// Subscriptions off: their Graph calls (made after a first sync) would blur the request counts these tests
// compare; the scheduler off: it would send polling syncs of its own.
const SYNC_ONLY = { SUBSCRIPTIONS_ENABLED: 'false', SUBSCRIPTION_SCHEDULER_ENABLED: 'false' };

async function consumer(group: string, env: NodeJS.ProcessEnv = SYNC_ONLY): Promise<ConsumerProcess> {
  const c = await startConsumerProcess(group, emulator.url, env);
  consumers.push(c);
  return c;
}

async function freshGroup(name: string): Promise<string> {
  const group = `${name}-${randomUUID()}`;
  await groupAtTopicEnd(kafka, group);
  return group;
}

async function mailbox(messages: number): Promise<ConnectedMailbox> {
  const m = await connectMailbox(db, settings, emulator.control);
  await emulator.control('POST', `/mailboxes/${m.address}/seed`, { messages });
  return m;
}

async function statusOf(runId: string): Promise<string | undefined> {
  const rows = (await db.query(`SELECT status FROM sync_runs WHERE id = $1`, [runId])) as {
    status: string;
  }[];
  return rows[0]?.status;
}

async function rowsOf(userId: string): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [userId])) as {
    n: number;
  }[];
  return n;
}

/** Publishes a full sync of `m` and waits until its run has finished; returns the Graph requests it took. */
async function syncThroughKafka(m: ConnectedMailbox, timeoutMs = 180_000): Promise<number> {
  const before = await servedRequests(emulator.control, m.address);
  const job = syncJob(m.userId, 'full');
  await publisher.publish(TOPICS.syncEmail, job);
  await eventually(async () => (await statusOf(job.runId)) === 'finished', timeoutMs, 'run finished');
  return (await servedRequests(emulator.control, m.address)) - before;
}

test('a sync_email through Kafka ends with the mailbox exact in PostgreSQL and an email_ack finished', async () => {
  const m = await mailbox(1000);
  const group = await freshGroup('sync-kafka');
  const c = await consumer(group);
  const acks = await listen(kafka, TOPICS.emailAck);
  try {
    const job = { ...syncJob(m.userId, 'full'), reason: 'connected' as const };
    await publisher.publish(TOPICS.syncEmail, job);
    const ackOf = () =>
      acks.received
        .map((r) => JSON.parse(r.value))
        .find((a) => a.runId === job.runId && a.status === 'finished');
    const finished = await eventually(async () => ackOf(), 120_000, 'email_ack finished');
    assert.equal(finished.userId, m.userId);
    assert.equal(finished.done, finished.total);
    assert.equal(await assertMailboxExact(db, emulator.control, m.address, m.userId), 1000);
    assert.equal(await statusOf(job.runId), 'finished');
    assert.deepEqual(
      finishedUsers(c).filter((u) => u === m.userId),
      [m.userId],
    );
  } finally {
    await acks.stop();
    await c.kill('SIGTERM');
  }
});

test('kill -9 of the consumer mid-sync, then a restart: exact, at most one page per folder fetched twice', async () => {
  const total = 20_000;
  const m = await mailbox(total);
  const group = await freshGroup('sync-kill');
  const env = { ...SYNC_ONLY, SYNC_PAGE_SIZE: '100' }; // 200+ pages: the kill lands between many committed pages
  let c = await consumer(group, env);
  const before = await servedRequests(emulator.control, m.address);
  const job = syncJob(m.userId, 'full');
  await publisher.publish(TOPICS.syncEmail, job);
  await eventually(async () => (await rowsOf(m.userId)) >= total / 4, 180_000, 'a quarter synced');
  await c.kill('SIGKILL');
  const atKill = await rowsOf(m.userId);
  assert.ok(atKill < total, `killed mid-sync (${atKill} rows)`);
  assert.equal(await statusOf(job.runId), 'running');

  // The job was never committed: the restarted process gets it again once the dead member's session ends.
  c = await consumer(group, env);
  await eventually(async () => (await statusOf(job.runId)) === 'finished', 300_000, 'run finished');
  assert.equal(await assertMailboxExact(db, emulator.control, m.address, m.userId), total);
  const used = (await servedRequests(emulator.control, m.address)) - before;

  // What one uninterrupted full sync of the same mailbox costs, measured rather than guessed.
  const clean = await syncThroughKafka(m);
  const folders = (await foldersOf(emulator.control, m.address)).length;
  const listing = await listingRequests(emulator.control, m.address);
  const extra = used - clean;
  console.log(`kill -9 at ${atKill}/${total} rows: ${used} requests vs ${clean} clean (+${extra})`);
  // The restart lists the folders again; beyond that, each folder repeats at most its uncommitted page.
  assert.ok(extra <= listing + folders, `${extra} extra requests > ${listing} listing + ${folders} folders`);
  await c.kill('SIGTERM');
});

test('two consumer processes share mailboxes by partition; both finish; nothing is done twice', async () => {
  const group = await freshGroup('sync-pair');
  const pair = [await consumer(group), await consumer(group)];
  await waitForGroup(kafka, group, 2);

  // Mailboxes until every partition has one: with two members each holds at least one partition.
  const count = await partitionCount();
  const mailboxes: ConnectedMailbox[] = [];
  const covered = new Set<number>();
  while (covered.size < count && mailboxes.length < 20) {
    const m = await mailbox(1500);
    mailboxes.push(m);
    covered.add(partitionOf(m.userId, count));
  }
  assert.equal(covered.size, count, 'every partition has a mailbox');

  const before = new Map<string, number>();
  for (const m of mailboxes) before.set(m.userId, await servedRequests(emulator.control, m.address));
  const jobs = mailboxes.map((m) => syncJob(m.userId, 'full'));
  await publisher.publishMany(TOPICS.syncEmail, jobs);
  for (const job of jobs) {
    await eventually(async () => (await statusOf(job.runId)) === 'finished', 300_000, 'run finished');
  }
  const mine = new Set(mailboxes.map((m) => m.userId));
  const byProcess = pair.map((c) => finishedUsers(c).filter((u) => mine.has(u)));
  assert.ok(
    byProcess.every((users) => users.length > 0),
    `both processes synced mailboxes: ${byProcess.map((u) => u.length).join(' + ')}`,
  );
  assert.deepEqual(byProcess.flat().sort(), [...mine].sort(), 'each mailbox synced once, by one process');

  for (const m of mailboxes) {
    assert.equal(await assertMailboxExact(db, emulator.control, m.address, m.userId), 1500);
    const used = (await servedRequests(emulator.control, m.address)) - before.get(m.userId)!;
    const clean = await syncThroughKafka(m);
    assert.equal(used, clean, `no page of ${m.address} fetched twice`);
  }
  await Promise.all(pair.map((c) => c.kill('SIGTERM')));
});

async function partitionCount(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(TOPICS.syncEmail)).length;
  } finally {
    await admin.disconnect();
  }
}
