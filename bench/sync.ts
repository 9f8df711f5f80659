// npm run bench:sync -- --messages 100000 [--page-size 1000] [--folder-concurrency 4] [--rounds 3]
//
// A full mailbox sync through the real pipeline: an emulator process of its own seeded with N messages,
// a `sync_email` on Kafka (the very message the producer publishes when a mailbox is connected, published
// here with the project's KafkaPublisher instead of going through the HTTP API), the real consumer as a
// child process, PostgreSQL. Beside it, the limits measured in the same run on the same data:
//   (a) the emulator's raw delta rate: plain HTTPS delta requests, same $select and page size, as many
//       folders at once as the consumer syncs (SYNC_FOLDER_CONCURRENCY), largest first;
//   (b) a raw bulk insert of the same rows, sent as the consumer sends them: INSERT … ON CONFLICT DO NOTHING,
//       one statement per page, as many at once.
// Before the clock starts, a small mailbox of its own is synced through the same consumer, then read by (a)
// and written by (b) (a warm-up).
// Each round does all three on a fresh mailbox; the figures printed last are the rounds' medians.
// Writes .data/bench/sync.json; the last line is the messages/s figure.
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
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
} from '@core-email/platform';
import { connectMailbox, startEmulatorProcess } from '@core-email/platform/testing';
import {
  emulatorEnv,
  startConsumerProcess,
  foldersOf,
  listingRequests,
  servedRequests,
  groupAtTopicEnd,
  testKafka,
  startSyncContext,
  syncJob,
  parseDeltaPage,
  MESSAGE_SELECT,
  EMAIL_COLUMN_NAMES,
  emailRowsFrom,
} from 'core-email-consumer/testing';
import { CpuUsage, describeCpu, startCpuWindow, StackPids } from './cpu-usage';

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
  tokens: MailboxTokens;
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
 * A small mailbox of its own synced through the same consumer and emulator before the clock starts, then
 * read by (a) and written by (b): every measured step then meets warm processes (JIT-compiled code, open
 * connections, a TLS session), as a long-running consumer and Microsoft's servers are. Without it the first
 * ~15 pages of the measured run are ~1.5x slower while V8 compiles, and the first round's (a) ~10 % slower
 * than the next rounds' (the bench's own client was cold), which lifted that round's share.
 */
async function warmUp(bench: Bench, consumer: Consumer, opts: Options): Promise<void> {
  const { mailbox } = await seededMailbox(bench, WARM_UP_PAGES * opts.pageSize);
  const job = connectedJob(mailbox.userId);
  await bench.publisher.publish(TOPICS.syncEmail, job);
  await runFinished(bench.db, job.runId);
  const folders = await foldersOf(bench.emulator.control, mailbox.address);
  const a = await rawDelta(bench, consumer, mailbox.userId, folders, opts);
  await rawInsert(bench, consumer, a.pageRows, a.messages, opts.concurrency);
}

/** The consumer process the rounds share (warmed up once). */
type Consumer = Awaited<ReturnType<typeof startConsumerProcess>>;

/** What one round measured: the pipeline on a fresh mailbox of N messages, then (a) and (b) on its data. */
interface Round {
  rows: number;
  seconds: number;
  rate: number;
  requests: number;
  listing: number;
  pages: number;
  deltaRate: number;
  insertRate: number;
  share: number;
  cpu: { pipeline: CpuUsage; rawDelta: CpuUsage; rawInsert: CpuUsage };
}

/** The pipeline: one `sync_email` published, timed until the run's `finished`. */
async function pipelineRun(bench: Bench, consumer: Consumer, messages: number, pageSize: number) {
  const { mailbox, seeded } = await seededMailbox(bench, messages);
  console.log(`seeded ${messages} messages: ${JSON.stringify(seeded)}`);
  const requestsBefore = await servedRequests(bench.emulator.control, mailbox.address);
  const job = connectedJob(mailbox.userId);
  const window = startCpuWindow();
  const t0 = performance.now();
  await bench.publisher.publish(TOPICS.syncEmail, job);
  await runFinished(bench.db, job.runId);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = window.end(stackPids(bench, consumer));
  const requests = (await servedRequests(bench.emulator.control, mailbox.address)) - requestsBefore;
  const [{ n: rows }] = (await bench.db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [
    mailbox.userId,
  ])) as { n: number }[];
  if (rows !== messages) throw new Error(`synced ${rows} rows for ${messages} messages`);
  const folders = await foldersOf(bench.emulator.control, mailbox.address);
  const listing = await listingRequests(bench.emulator.control, mailbox.address);
  const pages = folders.reduce((n, f) => n + Math.max(1, Math.ceil(f.totalItemCount / pageSize)), 0);
  return { mailbox, folders, rows, seconds, cpu, requests, listing, pages };
}

function stackPids(bench: Bench, consumer: Consumer): StackPids {
  const { primaryUrl, replicaUrls } = bench.config.infra.database;
  return {
    consumer: consumer.pid,
    emulator: bench.emulator.pid,
    pgPrimaryPort: Number(new URL(primaryUrl).port),
    pgReplicaPort: replicaUrls[0] ? Number(new URL(replicaUrls[0]).port) : 0,
  };
}

type Folders = Awaited<ReturnType<typeof foldersOf>>;

/** Limit (a): the emulator's raw delta rate, same $select, page size and folder concurrency. */
async function rawDelta(bench: Bench, consumer: Consumer, userId: string, folders: Folders, opts: Options) {
  const { emulator } = bench;
  const token = await bench.tokens.getAccessToken(userId);
  const graphOrigin = new URL(emulator.url).origin;
  const pageRows: string[] = [];
  let messages = 0;
  const window = startCpuWindow();
  const t0 = performance.now();
  // Largest first, as the consumer walks them.
  const bySize = [...folders].sort((x, y) => y.totalItemCount - x.totalItemCount);
  await inParallel(bySize, opts.concurrency, async (folder) => {
    let url: string | undefined =
      `${emulator.url}/v1.0/me/mailFolders/${encodeURIComponent(folder.id)}/messages/delta` +
      `?$select=${MESSAGE_SELECT.join(',')}`;
    while (url) {
      const res = await fetch(url, {
        headers: {
          Authorization: `Bearer ${token}`,
          Prefer: `odata.maxpagesize=${opts.pageSize}, IdType="ImmutableId"`,
        },
      });
      if (!res.ok) throw new Error(`raw delta: ${res.status} ${await res.text()}`);
      const page = parseDeltaPage(await res.json(), folder.id, graphOrigin);
      messages += page.upserts.size;
      if (page.upserts.size > 0) pageRows.push(page.upserts.json);
      url = page.nextLink;
    }
  });
  const rate = messages / ((performance.now() - t0) / 1000);
  return { rate, cpu: window.end(stackPids(bench, consumer)), pageRows, messages };
}

/** Limit (b): the same rows, raw, into the same table for a scratch user (no change check, no link). */
async function rawInsert(
  bench: Bench,
  consumer: Consumer,
  pageRows: string[],
  messages: number,
  concurrency: number,
) {
  const [{ id: scratch }] = (await bench.db.query(
    `INSERT INTO users (email, user_name, password_hash) VALUES ($1, 'bench scratch', 'x') RETURNING id`,
    [`bench-${randomUUID()}@example.test`],
  )) as { id: string }[];
  bench.cleanup.push(scratch);
  const insert = `INSERT INTO emails (user_id, ${EMAIL_COLUMN_NAMES.join(', ')})
    SELECT $1::uuid, r.* FROM (${emailRowsFrom('$2')}) AS r
    ON CONFLICT (user_id, graph_id) DO NOTHING`;
  const window = startCpuWindow();
  const t0 = performance.now();
  await inParallel(pageRows, concurrency, async (json) => {
    await bench.db.query(insert, [scratch, json]);
  });
  const rate = messages / ((performance.now() - t0) / 1000);
  return { rate, cpu: window.end(stackPids(bench, consumer)) };
}

/**
 * One round on a fresh mailbox, then its users deleted and `emails` vacuumed, so every round meets the same
 * table (and no autovacuum of the previous round's rows runs during the next).
 */
async function measureRound(bench: Bench, consumer: Consumer, opts: Options): Promise<Round> {
  const run = await pipelineRun(bench, consumer, opts.messages, opts.pageSize);
  const a = await rawDelta(bench, consumer, run.mailbox.userId, run.folders, opts);
  const b = await rawInsert(bench, consumer, a.pageRows, a.messages, opts.concurrency);
  await resetEmails(bench);
  const rate = run.rows / run.seconds;
  return {
    rows: run.rows,
    seconds: run.seconds,
    rate,
    requests: run.requests,
    listing: run.listing,
    pages: run.pages,
    deltaRate: a.rate,
    insertRate: b.rate,
    share: rate / Math.min(a.rate, b.rate),
    cpu: { pipeline: run.cpu, rawDelta: a.cpu, rawInsert: b.cpu },
  };
}

/** The bench's rows deleted and vacuumed: the next round meets the table as this one did. */
async function resetEmails(bench: Bench): Promise<void> {
  await deleteBenchUsers(bench);
  await bench.db.query(`VACUUM (ANALYZE) emails`);
}

/** The bench's users go with their rows and runs (ON DELETE CASCADE). */
async function deleteBenchUsers(bench: Bench): Promise<void> {
  const ids = bench.cleanup.splice(0);
  if (ids.length > 0) await bench.db.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [ids]);
}

interface Options {
  messages: number;
  pageSize: number;
  concurrency: number;
  rounds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printRound(i: number, r: Round, opts: Options): void {
  console.log(
    `round ${i + 1}: ${r.rows} messages in ${round(r.seconds, 2)} s, ${Math.round(r.rate)}/s end to end, ` +
      `(a) ${Math.round(r.deltaRate)}/s, (b) ${Math.round(r.insertRate)}/s, share ${percent(r.share)} %, ` +
      `${r.requests} Graph requests (${r.listing} list folders) for ${r.pages} pages of ${opts.pageSize}`,
  );
  console.log(`  CPU, end to end: ${describeCpu(r.cpu.pipeline)}`);
  console.log(`  CPU, (a) raw delta: ${describeCpu(r.cpu.rawDelta)}`);
  console.log(`  CPU, (b) raw insert: ${describeCpu(r.cpu.rawInsert)}`);
}

/** The medians over the rounds: a single round on a shared 2-core machine moves by ±20 %. */
function summarize(rounds: Round[], opts: Options, peakRssMb: number) {
  const of = (pick: (r: Round) => number) => median(rounds.map(pick));
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const rows = rounds.reduce((n, r) => n + r.rows, 0);
  const pages = rounds.reduce((n, r) => n + r.pages, 0);
  return {
    messages: opts.messages,
    pageSize: opts.pageSize,
    folderConcurrency: opts.concurrency,
    rounds: rounds.length,
    seconds: round(
      of((r) => r.seconds),
      2,
    ),
    messagesPerSecond: Math.round(of((r) => r.rate)),
    requestsPer1000Messages: round((requests * 1000) / rows, 2),
    requestsPerPage: round(requests / pages, 3),
    consumerPeakRssMb: Math.round(peakRssMb),
    rawDeltaMessagesPerSecond: Math.round(of((r) => r.deltaRate)),
    rawInsertMessagesPerSecond: Math.round(of((r) => r.insertRate)),
    shareOfLimit: round(
      of((r) => r.share),
      3,
    ),
    perRound: rounds.map((r) => ({
      seconds: round(r.seconds, 2),
      messagesPerSecond: Math.round(r.rate),
      rawDeltaMessagesPerSecond: Math.round(r.deltaRate),
      rawInsertMessagesPerSecond: Math.round(r.insertRate),
      shareOfLimit: round(r.share, 3),
      graphRequests: r.requests,
      folderListingRequests: r.listing,
      idealPages: r.pages,
      cpu: r.cpu,
    })),
    at: new Date().toISOString(),
  };
}

function printSummary(result: ReturnType<typeof summarize>): void {
  const share = result.shareOfLimit;
  const table: Array<[string, string, string, boolean]> = [
    ['messages/s end to end', `${result.messagesPerSecond}`, '≥ 10000', result.messagesPerSecond >= 10_000],
    // Printed, no longer a target (issue 21): on 2 shared cores the pipeline does the work of (a) and (b) on
    // the cores each had alone.
    ['share of min(a, b)', `${percent(share)} %`, '', true],
    ['(a) raw delta messages/s', `${result.rawDeltaMessagesPerSecond}`, 'limit', true],
    ['(b) raw insert messages/s', `${result.rawInsertMessagesPerSecond}`, 'limit', true],
    ['Graph requests / 1000 messages', `${result.requestsPer1000Messages}`, '', true],
    ['Graph requests / page', `${result.requestsPerPage}`, '≤ 1.1', result.requestsPerPage <= 1.1],
    [
      'consumer peak RSS (VmHWM)',
      `${result.consumerPeakRssMb} MB`,
      '< 300 MB',
      result.consumerPeakRssMb < 300,
    ],
  ];
  console.log(
    `\nmedians of ${result.rounds} round(s) of ${result.messages} messages (page ${result.pageSize}, ` +
      `${result.folderConcurrency} folders at once); the share is each round's own, then the median`,
  );
  for (const [name, value, target, ok] of table) {
    console.log(
      `${name.padEnd(32)} ${value.padStart(10)}   ${target.padEnd(9)} ${target ? (ok ? 'ok' : 'MISSED') : ''}`,
    );
  }
}

async function main(): Promise<void> {
  const opts: Options = {
    messages: arg('messages', 100_000),
    pageSize: arg('page-size', 1000),
    concurrency: arg('folder-concurrency', 4),
    rounds: arg('rounds', 3),
  };
  const emulator = await startEmulatorProcess({});
  const { app, config } = await startSyncContext({ ...emulatorEnv(emulator.url), LOG_LEVEL: 'error' });
  const db = app.get<DataSource>(getDataSourceToken());
  const kafka = testKafka();
  const publisher = new KafkaPublisher(kafka);
  const tokens = app.get(MailboxTokens, { strict: false });
  const bench: Bench = { db, config, emulator, publisher, tokens, cleanup: [] };
  try {
    await runMigrations(config.infra.database);
    // The previous run's rows were deleted at its end: vacuum them now, or autovacuum does it during this run.
    await db.query(`VACUUM (ANALYZE) emails`);
    const group = `bench-sync-${randomUUID()}`;
    // Every topic the consumer reads, or it would first replay other runs' jobs (e.g. bench:realtime's).
    await groupAtTopicEnd(kafka, group);
    const consumer = await startConsumerProcess(group, emulator.url, {
      SYNC_PAGE_SIZE: String(opts.pageSize),
      SYNC_FOLDER_CONCURRENCY: String(opts.concurrency),
      LOG_LEVEL: 'warn',
    });
    const rssSampler = setInterval(() => consumer.peakRssMb(), 100);
    await warmUp(bench, consumer, opts);
    await resetEmails(bench);
    const rounds: Round[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      rounds.push(await measureRound(bench, consumer, opts));
      printRound(i, rounds[i], opts);
    }
    clearInterval(rssSampler);
    const result = summarize(rounds, opts, consumer.peakRssMb());
    await consumer.kill('SIGTERM');
    printSummary(result);
    const dir = resolve(REPO, '.data/bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, 'sync.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`${result.messagesPerSecond} messages/s`);
  } finally {
    await deleteBenchUsers(bench);
    await publisher.disconnect();
    await app.close();
    await emulator.stop();
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** As sync.json records a share (three digits), so a round's line and the medians agree. */
function percent(share: number): number {
  return Math.round(round(share, 3) * 100);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
