// Fairness between mailboxes (issue 21 §1) against the real PostgreSQL and Redis cluster and a graph emulator
// of the test's own: Graph's per-mailbox limits hold for two replicas together; a newly connected mailbox's
// first page is stored while large mailboxes are still syncing; a mailbox Graph paused for 600 s gives its
// capacity back (its sync is parked) and another user's sync and real-time change go on meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import {
  createRedisCluster,
  GraphClients,
  LOGGER,
  MailboxTokens,
  MicrosoftSettings,
  microsoftSettingsFrom,
  ParkedJob,
  ParkedJobs,
} from '@core-email/platform';
import {
  EmulatorProcess,
  startEmulatorProcess,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import type { Cluster } from 'ioredis';
import { ConsumerConfig } from '../src/config/config';
import { RealtimeModule } from '../src/realtime/realtime.module';
import { UpdateEmailSubscriptionHandler } from '../src/realtime/update-email-subscription.handler';
import { MailboxSyncService } from '../src/sync/mailbox-sync.service';
import { startFeatureContext, emulatorConsumerConfig } from './support/feature-context';
import { handlerContext, syncJob } from './support/sync-app';

let emulator: EmulatorProcess;
let app: INestApplicationContext;
let config: ConsumerConfig;
let db: DataSource;
let sync: MailboxSyncService;
let parked: ParkedJobs;
let settings: MicrosoftSettings;
const otherRedis: Cluster[] = [];

before(async () => {
  emulator = await startEmulatorProcess({});
  config = await emulatorConsumerConfig(emulator.url, {
    SYNC_PAGE_SIZE: '50',
    SYNC_PAGE_SLOTS: '4',
    SYNC_PARK_AFTER_SECONDS: '5',
    SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
    REALTIME_COALESCE_MS: '0',
  });
  // Nothing this test's mailboxes do goes to the shared broker: other engineers' consumers know nothing of
  // this emulator.
  ({ app } = await startFeatureContext(RealtimeModule, config));
  db = app.get<DataSource>(getDataSourceToken());
  sync = app.get(MailboxSyncService);
  parked = app.get(ParkedJobs);
  settings = microsoftSettingsFrom(config.env);
});

after(async () => {
  for (const r of otherRedis) r.disconnect();
  await app?.close();
  await emulator?.stop();
});

async function mailboxWith(messages: number): Promise<ConnectedMailbox> {
  const m = await connectMailbox(db, settings, emulator.control);
  if (messages > 0) await emulator.control('POST', `/mailboxes/${m.address}/seed`, { messages });
  return m;
}

async function rowsOf(m: ConnectedMailbox): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [
    m.userId,
  ])) as {
    n: number;
  }[];
  return n;
}

async function truthCount(m: ConnectedMailbox): Promise<number> {
  const mailbox = (await emulator.control('GET', `/mailboxes/${m.address}`)) as { folders: { id: string }[] };
  let n = 0;
  for (const folder of mailbox.folders) {
    const { value } = (await emulator.control(
      'GET',
      `/mailboxes/${m.address}/folders/${encodeURIComponent(folder.id)}/messages`,
    )) as { value: unknown[] };
    n += value.length;
  }
  return n;
}

async function statusOf(runId: string): Promise<string | undefined> {
  const [row] = (await db.query(`SELECT status FROM sync_runs WHERE id = $1`, [runId])) as {
    status: string;
  }[];
  return row?.status;
}

/** A second consumer replica's GraphClients: its own Redis cluster client, the same app and database. */
function secondReplica(): GraphClients {
  const redis = createRedisCluster(config.infra.redis.nodes, config.infra.redis.keyPrefix);
  otherRedis.push(redis);
  return new GraphClients(
    {
      graphBaseUrl: config.env.GRAPH_BASE_URL,
      maxConcurrency: config.env.GRAPH_MAX_CONCURRENCY,
      requestBudget: config.env.GRAPH_REQUEST_BUDGET,
      budgetWindowMs: config.env.GRAPH_BUDGET_WINDOW_SECONDS * 1000,
      maxThrottleRetries: config.env.GRAPH_THROTTLE_RETRIES,
      maxGatewayTimeoutRetries: config.env.GRAPH_GATEWAY_TIMEOUT_RETRIES,
      maxResponseBytes: config.env.GRAPH_MAX_RESPONSE_MB * 1024 * 1024,
    },
    app.get(MailboxTokens),
    app.get<Logger>(LOGGER),
    { redis, redisTimeoutMs: config.env.GRAPH_LIMITS_REDIS_TIMEOUT_MS },
  );
}

interface Counters {
  requests: number;
  throttled: number;
  highestConcurrency: number;
}

test('two replicas on one mailbox stay within Graph’s 4 concurrent requests together (no 429)', async () => {
  const m = await mailboxWith(0);
  const replicas = [app.get(GraphClients), secondReplica()];
  await emulator.control('PUT', '/faults', { latencyMs: 40, mailbox: m.address });
  try {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => replicas[i % 2].forMailbox(m.userId).api('/me/mailFolders').get()),
    );
  } finally {
    await emulator.control('DELETE', '/faults');
  }
  const counters = (await emulator.control('GET', `/mailboxes/${m.address}/counters`)) as Counters;
  // The emulator answers a fifth concurrent request of the app on the mailbox with 429 (as Outlook does).
  assert.equal(counters.throttled, 0, 'no request was over the mailbox’s limit');
  assert.equal(counters.highestConcurrency, 4, 'both replicas together used the 4 slots, no more');
});

test('a Retry-After one replica receives pauses the other replica’s requests for the mailbox', async () => {
  const m = await mailboxWith(0);
  const [one, two] = [app.get(GraphClients), secondReplica()];
  await emulator.control('PUT', '/faults', { throttleNext: 1, retryAfterSeconds: 2, mailbox: m.address });
  try {
    const t0 = Date.now();
    const first = one.forMailbox(m.userId).api('/me/mailFolders').get();
    await sleep(300); // the 429 has reached replica one and its pause is in Redis
    const t1 = Date.now();
    await two.forMailbox(m.userId).api('/me/mailFolders').get();
    const waited = Date.now() - t1;
    await first;
    assert.ok(Date.now() - t0 >= 2_000, 'replica one honoured its Retry-After');
    assert.ok(waited >= 1_400, `replica two waited ${waited} ms for the other replica’s pause`);
  } finally {
    await emulator.control('DELETE', '/faults');
  }
  const counters = (await emulator.control('GET', `/mailboxes/${m.address}/counters`)) as Counters;
  assert.equal(counters.throttled, 1, 'only the one injected 429: replica two never ran into it');
});

test('a newly connected mailbox gets its first page stored while four large mailboxes are still syncing', async () => {
  const big = await Promise.all([3000, 3000, 3000, 3000].map((n) => mailboxWith(n)));
  const bigJobs = big.map((m) => syncJob(m.userId, 'full'));
  // Graph-like latency, so the large syncs take a while at 50 messages a page.
  await emulator.control('PUT', '/faults', { latencyMs: 30 });
  try {
    const bigRuns = bigJobs.map((job) => sync.run(job, handlerContext()));
    // The large ones are under way (each has stored pages) before the new mailbox connects.
    for (let i = 0; i < 200 && (await Promise.all(big.map(rowsOf))).some((n) => n === 0); i++)
      await sleep(50);
    const newcomer = await mailboxWith(120);
    const job = syncJob(newcomer.userId, 'full');
    const t0 = Date.now();
    const run = sync.run(job, handlerContext());
    while ((await rowsOf(newcomer)) === 0) await sleep(20);
    const firstPageMs = Date.now() - t0;
    // At that moment none of the large mailboxes is done, nor close to done.
    const statuses = await Promise.all(bigJobs.map((j) => statusOf(j.runId)));
    const rows = await Promise.all(big.map(rowsOf));
    assert.deepEqual(statuses, ['running', 'running', 'running', 'running']);
    for (const n of rows) assert.ok(n < 3000 * 0.9, `a large mailbox already had ${n} rows`);
    await run;
    assert.equal(await statusOf(job.runId), 'finished');
    const bigStillRunning = (await Promise.all(bigJobs.map((j) => statusOf(j.runId)))).filter(
      (s) => s === 'running',
    ).length;
    await Promise.all(bigRuns);
    for (const [i, m] of big.entries()) {
      assert.equal(await statusOf(bigJobs[i].runId), 'finished');
      assert.equal(await rowsOf(m), await truthCount(m), 'each large mailbox synced exactly');
    }
    assert.equal(await rowsOf(newcomer), await truthCount(newcomer));
    process.stdout.write(
      `# newcomer's first page stored ${firstPageMs} ms after its sync began; large ones at ${rows.join(', ')} ` +
        `of 3000 then; ${bigStillRunning} of 4 still running when the newcomer finished\n`,
    );
  } finally {
    await emulator.control('DELETE', '/faults');
  }
});

test('a mailbox throttled with Retry-After 600 is parked, and another user’s sync and real-time change go on', async () => {
  const throttled = await mailboxWith(300);
  const other = await mailboxWith(200);
  await sync.run(syncJob(other.userId, 'full'), handlerContext()); // synced: real time applies to it
  const newcomer = await mailboxWith(150);
  await emulator.control('PUT', '/faults', {
    throttleNext: 1_000_000,
    retryAfterSeconds: 600,
    mailbox: throttled.address,
  });
  const pausedJob = syncJob(throttled.userId, 'full');
  try {
    const t0 = Date.now();
    await sync.run(pausedJob, handlerContext());
    const heldMs = Date.now() - t0;
    assert.ok(heldMs < 5_000, `the paused mailbox's job gave its lane back after ${heldMs} ms`);
    const due = await parked.dueAt(TOPICS.syncEmail, pausedJob);
    assert.ok(due !== undefined && due - Date.now() > 590_000, 'parked until the Retry-After is over');
    assert.equal(await statusOf(pausedJob.runId), 'running', 'parked, not failed');

    // Meanwhile: a new message for the other user reaches PostgreSQL through real time...
    const msg = (await emulator.control('POST', `/mailboxes/${other.address}/messages`, {
      subject: 'while another mailbox is paused',
      bodyHtml: '<p>hi</p>',
      from: { name: 'N', address: 'n@x.test' },
    })) as { id: string };
    const change: UpdateEmailSubscriptionMessage = {
      userId: other.userId,
      subscriptionId: randomUUID(),
      kind: 'change',
      changeType: 'created',
      resource: `Users/x/Messages/${msg.id}`,
      messageId: msg.id,
      receivedAt: new Date().toISOString(),
    };
    await app.get(UpdateEmailSubscriptionHandler).handle(change, handlerContext());
    const [row] = (await db.query(`SELECT subject FROM emails WHERE user_id = $1 AND graph_id = $2`, [
      other.userId,
      msg.id,
    ])) as { subject: string }[];
    assert.equal(row?.subject, 'while another mailbox is paused');
    // ...and a third user's first sync runs to the end.
    const job = syncJob(newcomer.userId, 'full');
    await sync.run(job, handlerContext());
    assert.equal(await statusOf(job.runId), 'finished');
    assert.equal(await rowsOf(newcomer), await truthCount(newcomer));

    // All of it while the throttled mailbox still waits.
    assert.equal(await statusOf(pausedJob.runId), 'running');
    assert.ok((await parked.dueAt(TOPICS.syncEmail, pausedJob))! > Date.now());
  } finally {
    await parked.unpark(TOPICS.syncEmail, pausedJob);
    await emulator.control('DELETE', '/faults');
  }
});

test('a parked sync comes back when its pause is over and continues to an exact copy', async () => {
  const m = await mailboxWith(1200);
  const job = syncJob(m.userId, 'full');
  await emulator.control('PUT', '/faults', { latencyMs: 150, mailbox: m.address });
  try {
    const run = sync.run(job, handlerContext());
    while ((await rowsOf(m)) === 0) await sleep(20);
    // Mid-run, Graph pauses the mailbox for 7 s (over SYNC_PARK_AFTER_SECONDS = 5).
    await emulator.control('PUT', '/faults', {
      latencyMs: 150,
      throttleNext: 1,
      retryAfterSeconds: 7,
      mailbox: m.address,
    });
    await run;
    const stored = await rowsOf(m);
    assert.ok(stored > 0 && stored < (await truthCount(m)), `parked mid-run with ${stored} rows stored`);
    const due = await parked.dueAt(TOPICS.syncEmail, job);
    assert.ok(due !== undefined, 'parked');
    assert.equal(await statusOf(job.runId), 'running');
    await sleep(Math.max(0, due - Date.now()) + 50);
    // What a consumer's workers do every second: put due jobs back on their topic (here: captured).
    const requeued: ParkedJob[] = [];
    await parked.requeueDue(async (j) => {
      // Anyone else's parked job stays parked (it is offered again after its claim lapses).
      if (j.topic !== TOPICS.syncEmail || (j.message as { runId?: string }).runId !== job.runId) {
        throw new Error('not this test’s');
      }
      requeued.push(j);
    });
    assert.deepEqual(
      requeued.map((j) => j.message),
      [job],
    );
    assert.equal(await parked.dueAt(TOPICS.syncEmail, job), undefined, 'no longer parked once re-queued');
    await sync.run(requeued[0].message as typeof job, handlerContext());
    assert.equal(await statusOf(job.runId), 'finished');
    assert.equal(await rowsOf(m), await truthCount(m), 'the continued run left an exact copy');
  } finally {
    await parked.unpark(TOPICS.syncEmail, job);
    await emulator.control('DELETE', '/faults');
  }
});
