// npm run bench:fleet -- [--mailboxes 200] [--messages 2000] [--late 20] [--latency 250] [--consumers 1]
//                        [--live 10] [--rate 20]
//
// Many mailboxes at Microsoft's pace: an emulator of its own answering every Graph request after 250 ± 100 ms
// (its per-mailbox throttling on, as by default), the real producer and consumer(s) as processes. Before the
// clock: N + late + live users sign up, N + late emulator mailboxes are seeded, and `live` small mailboxes are
// connected and subscribed. Then N mailboxes are connected through the API at once; when a quarter of the
// fleet's rows are stored, `late` more are connected; all along, new mail reaches the live mailboxes at `rate`/s.
// Figures, each beside its limit or bound measured in the same run:
//   - time until every fleet mailbox is synced, vs the bound: the larger of the database's bulk rate for all
//     rows (the same rows copied raw into `emails`) and one mailbox's page chain at that latency;
//   - p99 time from connect to the first page stored, for the late mailboxes (target < 5 s);
//   - real-time p99 from delivery to row during the fleet sync (target < 2 s, 0 lost);
//   - consumer peak RSS (target < 500 MB); with --consumers N > 1, a one-consumer run first and the speed-up.
// Writes .data/bench/fleet.json; the last line is the fleet's sync time beside its bound.
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { inParallel } from '@core-email/platform';
import {
  EMAIL_COLUMN_NAMES,
  foldersOf,
  ApiUser,
  connectOutlookThroughApi,
  newApiUser,
} from 'core-email-consumer/testing';
import { startWorld, type World } from './fault-world';

const REPO = resolve(__dirname, '..', '..');
const LOSS_DEADLINE_MS = 30_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}

interface Options {
  mailboxes: number;
  messages: number;
  late: number;
  latency: number;
  consumers: number;
  live: number;
  rate: number;
}

interface FleetMailbox {
  user: ApiUser;
  address: string;
  connectAt?: number;
  firstRowAt?: number;
  syncedAt?: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function prepare(world: World, o: Options, count: number): Promise<FleetMailbox[]> {
  const fleet: FleetMailbox[] = [];
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    4,
    async () => {
      const address = `fleet-${randomUUID()}@contoso.test`;
      await world.emulator.control('POST', '/mailboxes', {
        address,
        password: 'pw-123456',
        displayName: 'Fleet',
      });
      await world.emulator.control('POST', `/mailboxes/${address}/seed`, { messages: o.messages });
      fleet.push({ user: await newApiUser(world.producer.url), address });
    },
  );
  return fleet;
}

async function connect(world: World, m: FleetMailbox): Promise<void> {
  m.connectAt = performance.now();
  const landing = await connectOutlookThroughApi(world.producer.url, m.user, {
    username: m.address,
    password: 'pw-123456',
  });
  if (landing.searchParams.get('outlook') !== 'connected') throw new Error(`connect: ${landing.href}`);
}

/** Polls PostgreSQL for first rows and finished runs of the fleet until every mailbox is synced. */
async function watchFleet(world: World, fleet: FleetMailbox[], done: () => boolean): Promise<void> {
  while (!done()) {
    const ids = fleet
      .filter((m) => m.connectAt !== undefined && m.syncedAt === undefined)
      .map((m) => m.user.id);
    if (ids.length > 0) {
      const rows = (await world.db.query(
        `SELECT u.id,
                EXISTS (SELECT 1 FROM emails e WHERE e.user_id = u.id) AS has_row,
                EXISTS (SELECT 1 FROM sync_runs r WHERE r.user_id = u.id AND r.status = 'finished') AS synced
           FROM users u WHERE u.id = ANY($1::uuid[])`,
        [ids],
      )) as { id: string; has_row: boolean; synced: boolean }[];
      const at = performance.now();
      for (const r of rows) {
        const m = fleet.find((f) => f.user.id === r.id)!;
        if (r.has_row && m.firstRowAt === undefined) m.firstRowAt = at;
        if (r.synced) m.syncedAt = at;
      }
    }
    await sleep(100);
  }
}

async function storedRows(world: World, fleet: FleetMailbox[]): Promise<number> {
  const [{ n }] = (await world.db.query(
    `SELECT count(*)::int AS n FROM emails WHERE user_id = ANY($1::uuid[])`,
    [fleet.map((m) => m.user.id)],
  )) as { n: number }[];
  return n;
}

/** Real time during the sync: mail to the live mailboxes at a steady rate, each timed to its row. */
function liveMail(world: World, rate: number) {
  const sent = new Map<string, number>();
  const stored = new Map<string, number>();
  let running = true;
  const deliver = (async () => {
    let next = 0;
    let owed = 0;
    while (running) {
      owed += rate / 10;
      const count = Math.floor(owed);
      owed -= count;
      if (count > 0) {
        const at = performance.now();
        const batch = Array.from({ length: count }, () => world.users[next++ % world.users.length]);
        const { delivered } = (await world.emulator.control('POST', '/mailboxes/deliveries', {
          messages: batch.map((u) => ({ mailbox: u.address, subject: 'live', bodyHtml: '<p>live</p>' })),
        })) as { delivered: { id: string }[] };
        for (const { id } of delivered) sent.set(id, at);
      }
      await sleep(100);
    }
  })();
  const poll = (async () => {
    let last = performance.now();
    while (running || (stored.size < sent.size && performance.now() - last < LOSS_DEADLINE_MS)) {
      const missing = [...sent.keys()].filter((id) => !stored.has(id));
      if (missing.length > 0) {
        const rows = (await world.db.query(
          `SELECT graph_id FROM emails WHERE user_id = ANY($1::uuid[]) AND graph_id = ANY($2::text[])`,
          [world.users.map((u) => u.id), missing],
        )) as { graph_id: string }[];
        const at = performance.now();
        for (const r of rows) stored.set(r.graph_id, at);
      }
      if (running) last = performance.now();
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await deliver;
      await poll;
      const latencies = [...stored].map(([id, at]) => at - sent.get(id)!);
      return {
        delivered: sent.size,
        lost: sent.size - stored.size,
        p99Ms: Math.round(percentile(latencies, 99)),
      };
    },
  };
}

/** The database's bulk rate on these rows: a sample of the fleet's rows copied raw into a scratch user. */
async function bulkRate(world: World, fleet: FleetMailbox[]): Promise<number> {
  const [{ id: scratch }] = (await world.db.query(
    `INSERT INTO users (email, user_name, password_hash) VALUES ($1, 'fleet scratch', 'x') RETURNING id`,
    [`fleet-${randomUUID()}@example.test`],
  )) as { id: string }[];
  const columns = EMAIL_COLUMN_NAMES.join(', ');
  const sample = fleet.slice(0, 10);
  const t0 = performance.now();
  await inParallel(sample, 4, async (m) => {
    await world.db.query(
      `INSERT INTO emails (user_id, ${columns})
       SELECT $1::uuid, ${columns} FROM emails WHERE user_id = $2 ON CONFLICT (user_id, graph_id) DO NOTHING`,
      [scratch, m.user.id],
    );
  });
  const seconds = (performance.now() - t0) / 1000;
  const [{ n }] = (await world.db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [
    scratch,
  ])) as { n: number }[];
  await world.db.query(`DELETE FROM users WHERE id = $1`, [scratch]);
  return n / seconds;
}

async function runFleet(o: Options, consumers: number) {
  const world = await startWorld(o.live, consumers, { SYNC_PAGE_SIZE: '500' });
  try {
    const fleet = await prepare(world, o, o.mailboxes);
    const late = await prepare(world, o, o.late);
    const all = [...fleet, ...late];
    const totalRows = o.messages * all.length;
    console.log(`${consumers} consumer(s): ${all.length} mailboxes of ${o.messages} seeded, ${o.live} live`);
    const half = o.latency / 2.5;
    await world.emulator.control('PUT', '/faults', {
      latencyMs: Math.round(o.latency - half / 2),
      jitterMs: Math.round(half),
    });
    const live = liveMail(world, o.rate);
    const t0 = performance.now();
    const watcher = watchFleet(world, all, () => all.every((m) => m.syncedAt !== undefined));
    await inParallel(fleet, 16, (m) => connect(world, m));
    while ((await storedRows(world, fleet)) < (o.messages * o.mailboxes) / 4) await sleep(500);
    await inParallel(late, 20, (m) => connect(world, m));
    await watcher;
    const fleetSeconds = (Math.max(...all.map((m) => m.syncedAt!)) - t0) / 1000;
    const realtime = await live.stop();
    await world.emulator.control('DELETE', '/faults');
    const firstPage = late.map((m) => (m.firstRowAt! - m.connectAt!) / 1000);
    const folders = await foldersOf(world.emulator.control, all[0].address);
    const biggest = Math.max(...folders.map((f) => f.totalItemCount));
    // One mailbox's chain: the listing, then its biggest folder's pages one after another, then the last page.
    const chainSeconds = ((2 + Math.ceil(biggest / 500)) * o.latency) / 1000;
    const rate = await bulkRate(world, fleet);
    const dbSeconds = totalRows / rate;
    const peakRssMb = Math.max(...world.consumers.map((c) => c.peakRssMb()));
    return {
      consumers,
      mailboxes: all.length,
      rows: totalRows,
      fleetSeconds: Math.round(fleetSeconds * 10) / 10,
      boundSeconds: Math.round(Math.max(dbSeconds, chainSeconds) * 10) / 10,
      dbBoundSeconds: Math.round(dbSeconds * 10) / 10,
      dbRowsPerSecond: Math.round(rate),
      chainBoundSeconds: Math.round(chainSeconds * 10) / 10,
      lateFirstPageP99Seconds: Math.round(percentile(firstPage, 99) * 100) / 100,
      lateFirstPageMaxSeconds: Math.round(Math.max(...firstPage) * 100) / 100,
      realtime,
      peakRssMb: Math.round(peakRssMb),
    };
  } finally {
    await world.close();
    // The next run's in-process app registers the same default metrics (prom-client, via the platform).
    register.clear();
  }
}

async function main(): Promise<void> {
  const o: Options = {
    mailboxes: arg('mailboxes', 200),
    messages: arg('messages', 2000),
    late: arg('late', 20),
    latency: arg('latency', 250),
    consumers: arg('consumers', 1),
    live: arg('live', 10),
    rate: arg('rate', 20),
  };
  const runs = [];
  for (const consumers of o.consumers > 1 ? [1, o.consumers] : [1]) {
    runs.push(await runFleet(o, consumers));
    console.log(JSON.stringify(runs[runs.length - 1]));
  }
  const r = runs[runs.length - 1];
  const rows: [string, string, string][] = [
    [
      'fleet synced (s)',
      String(r.fleetSeconds),
      `bound ${r.boundSeconds} (db ${r.dbBoundSeconds} at ${r.dbRowsPerSecond} rows/s, chain ${r.chainBoundSeconds})`,
    ],
    ['late mailboxes: connect to first page, p99 (s)', String(r.lateFirstPageP99Seconds), '< 5'],
    ['real time during the sync: p99 (ms)', String(r.realtime.p99Ms), '< 2000'],
    ['real time during the sync: lost', `${r.realtime.lost} of ${r.realtime.delivered}`, '0'],
    ['consumer peak RSS (MB)', String(r.peakRssMb), '< 500'],
  ];
  if (runs.length > 1) {
    rows.push([
      `speed-up of ${o.consumers} consumers over 1`,
      (runs[0].fleetSeconds / r.fleetSeconds).toFixed(2),
      'reported',
    ]);
  }
  for (const [what, figure, limit] of rows)
    console.log(`${what.padEnd(50)} ${figure.padStart(10)}   ${limit}`);
  mkdirSync(resolve(REPO, '.data/bench'), { recursive: true });
  writeFileSync(
    resolve(REPO, '.data/bench/fleet.json'),
    JSON.stringify({ options: o, runs, at: new Date().toISOString() }, null, 2),
  );
  console.log(`fleet: ${r.mailboxes} mailboxes synced in ${r.fleetSeconds} s (bound ${r.boundSeconds} s)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
