// npm run bench:sync -- --messages 100000 [--page-size 1000]
//
// A full mailbox sync through the real pipeline: an emulator process of its own seeded with N messages,
// a `sync_email` on Kafka (the very message the producer publishes when a mailbox is connected, published
// here with the project's KafkaPublisher instead of going through the HTTP API), the real consumer as a
// child process, PostgreSQL. Beside it, the limits measured in the same run on the same data:
//   (a) the emulator's raw delta rate: plain HTTPS delta requests, same $select and page size, as many
//       folders at once as the consumer syncs (SYNC_FOLDER_CONCURRENCY), largest first;
//   (b) a raw bulk insert of the same rows, sent as the consumer sends them: INSERT … ON CONFLICT DO NOTHING,
//       one statement per page, as many at once.
// Before the clock starts, a small mailbox of its own is synced through the same consumer (a warm-up).
// Writes .data/bench/sync.json; the last line is the messages/s figure.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import {
  inParallel,
  KafkaPublisher,
  MailboxTokens,
  microsoftSettingsFrom,
  runMigrations,
  sleep,
} from '@core-email/platform';
import { startEmulatorProcess } from '@core-email/platform/dist/test/support/emulator-process';
import { emulatorEnv, startConsumerProcess } from 'core-email-consumer/dist/test/support/consumer-process';
import {
  foldersOf,
  listingRequests,
  servedRequests,
} from 'core-email-consumer/dist/test/support/ground-truth';
import { groupAtTopicEnd, testKafka } from 'core-email-consumer/dist/test/support/kafka-group';
import { connectMailbox } from 'core-email-consumer/dist/test/support/mailbox';
import { startSyncContext, syncJob } from 'core-email-consumer/dist/test/support/sync-app';
import { parseDeltaPage } from 'core-email-consumer/dist/src/sync/graph/delta-page';
import { MESSAGE_SELECT } from 'core-email-consumer/dist/src/sync/graph/graph-schemas';
import {
  EMAIL_COLUMN_NAMES,
  emailRowsFrom,
} from 'core-email-consumer/dist/src/sync/repositories/emails.repository';
import { describeCpu, startCpuWindow, StackPids } from './cpu-usage';

const REPO = resolve(__dirname, '..', '..');
/** Pages of the warm-up mailbox synced before the measured run (see warmUp). */
const WARM_UP_PAGES = 20;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** Polls `sync_runs` every 100 ms until the run has finished; a failed run ends the bench. */
async function runFinished(db: DataSource, runId: string): Promise<void> {
  for (;;) {
    const [run] = (await db.query(`SELECT status, error FROM sync_runs WHERE id = $1`, [runId])) as {
      status: string;
      error: string | null;
    }[];
    if (run?.status === 'finished') return;
    if (run?.status === 'failed') throw new Error(`the sync failed: ${run.error}`);
    await sleep(100);
  }
}

/** What the bench's steps share: the database, the emulator, the publisher, and the users to delete at the end. */
interface Bench {
  db: DataSource;
  config: Awaited<ReturnType<typeof startSyncContext>>['config'];
  emulator: Awaited<ReturnType<typeof startEmulatorProcess>>;
  publisher: KafkaPublisher;
  cleanup: string[];
}

/** A user with a connected emulator mailbox seeded with `messages` messages (deleted at the end). */
async function seededMailbox(bench: Bench, messages: number) {
  const { db, config, emulator } = bench;
  const mailbox = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  bench.cleanup.push(mailbox.userId);
  const seeded = await emulator.control('POST', `/mailboxes/${mailbox.address}/seed`, { messages });
  return { mailbox, seeded };
}

/** The `sync_email` the producer publishes when a mailbox is connected. */
function connectedJob(userId: string) {
  return { ...syncJob(userId, 'full'), reason: 'connected' as const };
}

/**
 * A small mailbox of its own synced through the same consumer and emulator before the clock starts: the
 * measured run then meets warm processes (JIT-compiled code, open connections, a TLS session), as a
 * long-running consumer and Microsoft's servers are, and as (a) and (b) meet them after it. Without it the
 * first ~15 pages of the measured run are ~1.5x slower while V8 compiles.
 */
async function warmUp(bench: Bench, pageSize: number): Promise<void> {
  const { mailbox } = await seededMailbox(bench, WARM_UP_PAGES * pageSize);
  const job = connectedJob(mailbox.userId);
  await bench.publisher.publish(TOPICS.syncEmail, job);
  await runFinished(bench.db, job.runId);
}

async function main(): Promise<void> {
  const messages = arg('messages', 100_000);
  const pageSize = arg('page-size', 1000);
  const concurrency = arg('folder-concurrency', 4);
  const emulator = await startEmulatorProcess({});
  const { app, config } = await startSyncContext({ ...emulatorEnv(emulator.url), LOG_LEVEL: 'error' });
  const db = app.get<DataSource>(getDataSourceToken());
  const kafka = testKafka();
  const publisher = new KafkaPublisher(kafka);
  const cleanup: string[] = [];
  try {
    await runMigrations(config.infra.database);
    // The previous run's rows were deleted at its end: vacuum them now, or autovacuum does it during this run.
    await db.query(`VACUUM (ANALYZE) emails`);
    const bench: Bench = { db, config, emulator, publisher, cleanup };
    const { mailbox, seeded } = await seededMailbox(bench, messages);
    console.log(`seeded ${messages} messages: ${JSON.stringify(seeded)}`);

    // The pipeline.
    const group = `bench-sync-${randomUUID()}`;
    // Every topic the consumer reads, or it would first replay other runs' jobs (e.g. bench:realtime's).
    await groupAtTopicEnd(kafka, group);
    const consumer = await startConsumerProcess(group, emulator.url, {
      SYNC_PAGE_SIZE: String(pageSize),
      SYNC_FOLDER_CONCURRENCY: String(concurrency),
      LOG_LEVEL: 'warn',
    });
    const rssSampler = setInterval(() => consumer.peakRssMb(), 100);
    await warmUp(bench, pageSize);
    const requestsBefore = await servedRequests(emulator.control, mailbox.address);
    const job = connectedJob(mailbox.userId);
    const { primaryUrl, replicaUrls } = config.infra.database;
    const pids: StackPids = {
      consumer: consumer.pid,
      emulator: emulator.pid,
      pgPrimaryPort: Number(new URL(primaryUrl).port),
      pgReplicaPort: replicaUrls[0] ? Number(new URL(replicaUrls[0]).port) : 0,
    };
    const pipelineWindow = startCpuWindow();
    const t0 = performance.now();
    await publisher.publish(TOPICS.syncEmail, job);
    await runFinished(db, job.runId);
    const seconds = (performance.now() - t0) / 1000;
    const pipelineCpu = pipelineWindow.end(pids);
    clearInterval(rssSampler);
    const peakRssMb = consumer.peakRssMb();
    await consumer.kill('SIGTERM');
    const requests = (await servedRequests(emulator.control, mailbox.address)) - requestsBefore;
    const [{ n: rows }] = (await db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [
      mailbox.userId,
    ])) as { n: number }[];
    const folders = await foldersOf(emulator.control, mailbox.address);
    const listing = await listingRequests(emulator.control, mailbox.address);
    const pages = folders.reduce((n, f) => n + Math.max(1, Math.ceil(f.totalItemCount / pageSize)), 0);

    // Limit (a): the emulator's raw delta rate, same $select, page size and folder concurrency.
    const token = await app.get(MailboxTokens, { strict: false }).getAccessToken(mailbox.userId);
    const graphOrigin = new URL(emulator.url).origin;
    const pageRows: string[] = [];
    let rawMessages = 0;
    const deltaWindow = startCpuWindow();
    const ta = performance.now();
    // Largest first, as the consumer walks them.
    const bySize = [...folders].sort((x, y) => y.totalItemCount - x.totalItemCount);
    await inParallel(bySize, concurrency, async (folder) => {
      let url: string | undefined =
        `${emulator.url}/v1.0/me/mailFolders/${encodeURIComponent(folder.id)}/messages/delta` +
        `?$select=${MESSAGE_SELECT.join(',')}`;
      while (url) {
        const res = await fetch(url, {
          headers: {
            Authorization: `Bearer ${token}`,
            Prefer: `odata.maxpagesize=${pageSize}, IdType="ImmutableId"`,
          },
        });
        if (!res.ok) throw new Error(`raw delta: ${res.status} ${await res.text()}`);
        const page = parseDeltaPage(await res.json(), folder.id, graphOrigin);
        rawMessages += page.upserts.size;
        if (page.upserts.size > 0) pageRows.push(page.upserts.json);
        url = page.nextLink;
      }
    });
    const deltaRate = rawMessages / ((performance.now() - ta) / 1000);
    const deltaCpu = deltaWindow.end(pids);

    // Limit (b): the same rows, raw, into the same table for a scratch user (no change check, no link).
    const [{ id: scratch }] = (await db.query(
      `INSERT INTO users (email, user_name, password_hash) VALUES ($1, 'bench scratch', 'x') RETURNING id`,
      [`bench-${randomUUID()}@example.test`],
    )) as { id: string }[];
    cleanup.push(scratch);
    const insert = `INSERT INTO emails (user_id, ${EMAIL_COLUMN_NAMES.join(', ')})
      SELECT $1::uuid, r.* FROM (${emailRowsFrom('$2')}) AS r
      ON CONFLICT (user_id, graph_id) DO NOTHING`;
    const insertWindow = startCpuWindow();
    const tb = performance.now();
    await inParallel(pageRows, concurrency, async (json) => {
      await db.query(insert, [scratch, json]);
    });
    const insertRate = rawMessages / ((performance.now() - tb) / 1000);
    const insertCpu = insertWindow.end(pids);

    const rate = rows / seconds;
    const limit = Math.min(deltaRate, insertRate);
    const perPage = requests / pages;
    const result = {
      messages,
      rows,
      pageSize,
      folderConcurrency: concurrency,
      seconds: round(seconds, 2),
      messagesPerSecond: Math.round(rate),
      graphRequests: requests,
      folderListingRequests: listing,
      idealPages: pages,
      requestsPer1000Messages: round((requests * 1000) / rows, 2),
      requestsPerPage: round(perPage, 3),
      consumerPeakRssMb: Math.round(peakRssMb),
      rawDeltaMessagesPerSecond: Math.round(deltaRate),
      rawInsertMessagesPerSecond: Math.round(insertRate),
      shareOfLimit: round(rate / limit, 3),
      cpu: { pipeline: pipelineCpu, rawDelta: deltaCpu, rawInsert: insertCpu },
      at: new Date().toISOString(),
    };
    const table: Array<[string, string, string, boolean]> = [
      ['messages/s end to end', `${result.messagesPerSecond}`, '≥ 10000', rate >= 10_000],
      [
        'share of min(a, b)',
        `${Math.round(result.shareOfLimit * 100)} %`,
        '≥ 50 %',
        result.shareOfLimit >= 0.5,
      ],
      ['(a) raw delta messages/s', `${result.rawDeltaMessagesPerSecond}`, 'limit', true],
      ['(b) raw insert messages/s', `${result.rawInsertMessagesPerSecond}`, 'limit', true],
      ['Graph requests / 1000 messages', `${result.requestsPer1000Messages}`, '', true],
      ['Graph requests / page', `${result.requestsPerPage}`, '≤ 1.1', perPage <= 1.1],
      ['consumer peak RSS (VmHWM)', `${result.consumerPeakRssMb} MB`, '< 300 MB', peakRssMb < 300],
    ];
    console.log(
      `\nsync of ${rows}/${messages} messages in ${result.seconds} s (page ${pageSize}, ` +
        `${concurrency} folders at once, ${requests} Graph requests of which ${listing} list folders, ` +
        `${pages} pages)`,
    );
    for (const [name, value, target, ok] of table) {
      console.log(
        `${name.padEnd(32)} ${value.padStart(10)}   ${target.padEnd(9)} ${target ? (ok ? 'ok' : 'MISSED') : ''}`,
      );
    }
    console.log(`\nCPU, end to end: ${describeCpu(pipelineCpu)}`);
    console.log(`CPU, (a) raw delta: ${describeCpu(deltaCpu)}`);
    console.log(`CPU, (b) raw insert: ${describeCpu(insertCpu)}`);
    const dir = resolve(REPO, '.data/bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, 'sync.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (rows !== messages) throw new Error(`synced ${rows} rows for ${messages} messages`);
    console.log(`${result.messagesPerSecond} messages/s`);
  } finally {
    // The bench's users go with their rows and runs (ON DELETE CASCADE).
    if (cleanup.length > 0) await db.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [cleanup]);
    await publisher.disconnect();
    await app.close();
    await emulator.stop();
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
