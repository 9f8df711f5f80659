// npm run bench:realtime -- [--mailboxes 200] [--rate 1000] [--seconds 15] [--warmup-seconds 3]
//                           [--connections 32] [--batch 10] [--webhook-seconds 10] [--webhook-rate 5000]
//
// The real-time loop under load, every piece a process of its own as in production: an emulator of its own
// (http webhooks allowed) → the producer's webhook → update_email_subscription on Kafka → the consumer (a fresh
// group at the topics' end, no scheduler) → PostgreSQL → notify_user_mutate_email → the producer → each
// owner's SSE stream (GET /api/events read as the dashboard reads it).
//   1. Loop latency: N users sign up, open their event stream and connect a mailbox through the real OAuth
//      flow; once each is subscribed, new mail is delivered through the emulator's control API at a fixed
//      total rate, round robin over the mailboxes. For every message: the time from the delivery request to
//      (a) its row in `emails` (one query per 50 ms for the ids still missing) and (b) its id in a `mail`
//      event's `created` on its owner's stream. Lost = not arrived within 30 s of the last delivery. The first
//      --warmup-seconds of deliveries warm the processes up: they count for losses, not for the latencies
//      (their p99 is printed apart).
//   2. Webhook capacity: the consumer stopped, a loopback load generator (keep-alive, a fixed number of
//      connections, bounded in count and time) POSTs valid notification batches (the bench's real
//      subscription ids and clientStates) to the producer's webhook; accepted = 202 (Kafka acknowledged).
// Writes .data/bench/realtime.json; the last line is the p99 loop latency to the SSE event.
import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { graphWebhookUrl } from '@core-email/contracts';
import { inParallel, runMigrations } from '@core-email/platform';
import { eventually, startEmulatorProcess } from '@core-email/platform/testing';
import {
  emulatorEnv,
  startConsumerProcess,
  groupAtTopicEnd,
  testKafka,
  waitForGroup,
  ApiUser,
  connectOutlookThroughApi,
  EventStream,
  newApiUser,
  openEventStream,
  ReceivedEvent,
  startProducerProcess,
  startSyncContext,
} from 'core-email-consumer/testing';
import { describeCpu, startCpuWindow } from './cpu-usage';

const REPO = resolve(__dirname, '..', '..');
/** How often the injector sends the messages due (one batched delivery request per tick). */
const TICK_MS = 20;
const LOSS_DEADLINE_MS = 30_000;

function arg(name: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: Math.round(percentile(sorted, 50)),
    p99: Math.round(percentile(sorted, 99)),
    max: Math.round(sorted[sorted.length - 1] ?? NaN),
  };
}

interface Bench {
  user: ApiUser;
  address: string;
  stream: EventStream;
}

/** Stamps every event the stream receives with its arrival time (the stream pushes as it parses). */
function stampArrivals(stream: EventStream, onEvent: (e: ReceivedEvent, at: number) => void): void {
  const events = stream.events;
  events.push = (...items: ReceivedEvent[]) => {
    const at = performance.now();
    for (const e of items) onEvent(e, at);
    return Array.prototype.push.apply(events, items);
  };
}

async function main(): Promise<void> {
  const mailboxes = arg('mailboxes', 200);
  const rate = arg('rate', 1000);
  const seconds = arg('seconds', 15);
  // Not measured: JIT, connection pools and caches warm up, as in any long-running deployment.
  const warmupSeconds = arg('warmup-seconds', 3, 0);
  const connections = arg('connections', 32);
  const batch = arg('batch', 10);
  const webhookSeconds = arg('webhook-seconds', 10);
  const webhookRate = arg('webhook-rate', 5000);

  const emulator = await startEmulatorProcess({ EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true' });
  const { app, config } = await startSyncContext({ ...emulatorEnv(emulator.url), LOG_LEVEL: 'error' });
  const db = app.get<DataSource>(getDataSourceToken());
  const kafka = testKafka();
  const users: string[] = [];
  const benches: Bench[] = [];
  let producer: Awaited<ReturnType<typeof startProducerProcess>> | undefined;
  let consumer: Awaited<ReturnType<typeof startConsumerProcess>> | undefined;
  try {
    await runMigrations(config.infra.database);
    producer = await startProducerProcess(emulator.url, { LOG_LEVEL: 'warn' });
    const group = `bench-realtime-${randomUUID()}`;
    await groupAtTopicEnd(kafka, group);
    consumer = await startConsumerProcess(group, emulator.url, {
      PUBLIC_BASE_URL: producer.url,
      SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'warn',
    });
    await waitForGroup(kafka, group, 1);
    const producerUrl = producer.url;

    // Set-up: N users, each with its stream open and a small mailbox connected and subscribed.
    const sseAt = new Map<string, number>();
    const notSubscribed: string[] = [];
    const tSetup = performance.now();
    await inParallel(
      Array.from({ length: mailboxes }, (_, i) => i),
      4,
      async () => {
        const user = await newApiUser(producerUrl);
        users.push(user.id);
        const stream = await openEventStream(producerUrl, user.token);
        if (stream.status !== 200) throw new Error(`GET /api/events: ${stream.status}`);
        stampArrivals(stream, (e, at) => {
          if (e.event !== 'mail') return;
          for (const id of (e.data.created as string[] | undefined) ?? [])
            if (!sseAt.has(id)) sseAt.set(id, at);
        });
        const address = `bench-${randomUUID()}@contoso.test`;
        const password = 'pw-123456';
        await emulator.control('POST', '/mailboxes', { address, password, displayName: 'Bench' });
        await emulator.control('POST', `/mailboxes/${address}/seed`, { messages: 10 });
        const landing = await connectOutlookThroughApi(producerUrl, user, { username: address, password });
        if (landing.searchParams.get('outlook') !== 'connected') throw new Error(`connect: ${landing.href}`);
        // A mailbox the pipeline does not subscribe in time is left out (and reported), not waited for.
        const deadline = Date.now() + 90_000;
        for (;;) {
          const [sub] = (await db.query(
            `SELECT status, last_error FROM graph_subscriptions WHERE user_id = $1`,
            [user.id],
          )) as { status: string; last_error: string | null }[];
          if (sub?.status === 'active') break;
          if (Date.now() > deadline) {
            const [run] = (await db.query(
              `SELECT status, error FROM sync_runs WHERE user_id = $1 ORDER BY started_at DESC LIMIT 1`,
              [user.id],
            )) as { status: string; error: string | null }[];
            const why =
              `subscription ${sub ? `${sub.status} (${sub.last_error})` : 'none'}, ` +
              `last sync ${run ? `${run.status}${run.error ? ` (${run.error})` : ''}` : 'none'}`;
            notSubscribed.push(why);
            stream.close();
            return;
          }
          await sleep(200);
        }
        benches.push({ user, address, stream });
      },
    );
    const setupSeconds = (performance.now() - tSetup) / 1000;
    console.log(
      `${benches.length}/${mailboxes} mailboxes connected and subscribed in ${setupSeconds.toFixed(1)} s`,
    );
    for (const why of notSubscribed) console.log(`  left out, not subscribed within 90 s: ${why}`);
    if (benches.length === 0) throw new Error('no mailbox was subscribed');

    // Phase 1: new mail at a fixed total rate, round robin; the clock starts at each delivery request.
    const sentAt = new Map<string, number>();
    const owner = new Map<string, string>();
    const pgAt = new Map<string, number>();
    const warmupCount = rate * warmupSeconds;
    const total = warmupCount + rate * seconds;
    const warm = new Set<string>();
    let deliveryErrors = 0;
    const deliveryErrorSamples = new Set<string>();
    let inFlight = 0;
    let injecting = true;
    let lastSent = performance.now();
    const poller = (async () => {
      while (injecting || (pgAt.size < sentAt.size && performance.now() - lastSent < LOSS_DEADLINE_MS)) {
        const missing = [...sentAt.keys()].filter((id) => !pgAt.has(id));
        if (missing.length > 0) {
          const rows = (await db.query(
            `SELECT graph_id FROM emails WHERE user_id = ANY($1::uuid[]) AND graph_id = ANY($2::text[])`,
            [users, missing],
          )) as { graph_id: string }[];
          const at = performance.now();
          for (const r of rows) pgAt.set(r.graph_id, at);
        }
        await sleep(50);
      }
    })();
    const pending: Promise<void>[] = [];
    const cpuWindow = startCpuWindow();
    const t0 = performance.now();
    // Every TICK_MS, the messages due by then leave in one batched delivery request (round robin over the
    // mailboxes): the injector costs the cores a few requests per tick instead of one per message.
    for (let i = 0; i < total;) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      while (inFlight >= 16) await sleep(1);
      const upTo = Math.min(
        total,
        Math.max(i + 1, Math.floor(((performance.now() + TICK_MS - t0) * rate) / 1000)),
      );
      const tick = Array.from({ length: upTo - i }, (_, k) => benches[(i + k) % benches.length]);
      const first = i;
      i = upTo;
      inFlight++;
      const start = performance.now();
      pending.push(
        (
          emulator.control('POST', '/mailboxes/deliveries', {
            messages: tick.map((b, k) => ({
              mailbox: b.address,
              subject: `bench ${first + k}`,
              bodyHtml: '<p>bench</p>',
              from: { name: 'Bench', address: 'bench@example.test' },
            })),
          }) as Promise<{ delivered: { id: string }[] }>
        ).then(
          ({ delivered }) => {
            delivered.forEach(({ id }, k) => {
              if (first + k < warmupCount) warm.add(id);
              sentAt.set(id, start);
              owner.set(id, tick[k].user.id);
            });
            lastSent = performance.now();
            inFlight--;
          },
          (error: Error) => {
            deliveryErrors += tick.length;
            if (deliveryErrorSamples.size < 3) deliveryErrorSamples.add(error.message.slice(0, 200));
            inFlight--;
          },
        ),
      );
    }
    await Promise.all(pending);
    const injectSeconds = (performance.now() - t0) / 1000;
    const achievedRate = sentAt.size / injectSeconds;
    injecting = false;
    console.log(
      `delivered ${sentAt.size}/${total} messages in ${injectSeconds.toFixed(1)} s ` +
        `(${Math.round(achievedRate)}/s, ${deliveryErrors} errors); waiting up to ${LOSS_DEADLINE_MS / 1000} s`,
    );
    await eventually(
      async () => {
        const allSse = [...sentAt.keys()].every((id) => sseAt.has(id));
        return (allSse && pgAt.size >= sentAt.size) || performance.now() - lastSent > LOSS_DEADLINE_MS;
      },
      LOSS_DEADLINE_MS + 5_000,
      'every SSE event or the deadline',
      100,
    );
    await poller;
    const { primaryUrl, replicaUrls } = config.infra.database;
    const loopCpu = cpuWindow.end({
      consumer: consumer.pid,
      emulator: emulator.pid,
      producer: producer.pid,
      pgPrimaryPort: Number(new URL(primaryUrl).port),
      pgReplicaPort: replicaUrls[0] ? Number(new URL(replicaUrls[0]).port) : 0,
    });
    console.log(`loop CPU: ${describeCpu(loopCpu)}`);
    const pgLatency: number[] = [];
    const sseLatency: number[] = [];
    const warmSseLatency: number[] = [];
    let arrivedPg = 0;
    let arrivedSse = 0;
    for (const [id, start] of sentAt) {
      const pg = pgAt.get(id);
      const sse = sseAt.get(id);
      const pgOk = pg !== undefined && pg - start <= LOSS_DEADLINE_MS;
      const sseOk = sse !== undefined && sse - start <= LOSS_DEADLINE_MS;
      arrivedPg += pgOk ? 1 : 0;
      arrivedSse += sseOk ? 1 : 0;
      if (warm.has(id)) {
        if (sseOk) warmSseLatency.push(sse - start);
        continue;
      }
      if (pgOk) pgLatency.push(pg - start);
      if (sseOk) sseLatency.push(sse - start);
    }
    // Late is not lost: the ids with no row by the deadline, counted once more after it.
    const late = [...sentAt.keys()].filter((id) => !pgAt.has(id));
    const [{ n: rowsAfterDeadline }] = (await db.query(
      `SELECT count(*)::int AS n FROM emails WHERE user_id = ANY($1::uuid[]) AND graph_id = ANY($2::text[])`,
      [users, late],
    )) as { n: number }[];
    const pg = summary(pgLatency);
    const sse = summary(sseLatency);
    const warmSse = summary(warmSseLatency);
    const lostPg = sentAt.size - arrivedPg;
    const lostSse = sentAt.size - arrivedSse;

    // Phase 2: the webhook alone. The consumer stops first so it does not compete for the 2 cores.
    await consumer.kill('SIGTERM');
    consumer = undefined;
    const subs = (await db.query(
      `SELECT s.user_id, s.graph_subscription_id, s.client_state, e.graph_id
         FROM graph_subscriptions s
         JOIN LATERAL (SELECT graph_id FROM emails WHERE user_id = s.user_id LIMIT 1) e ON true
        WHERE s.user_id = ANY($1::uuid[]) AND s.status = 'active'`,
      [users],
    )) as { user_id: string; graph_subscription_id: string; client_state: string; graph_id: string }[];
    const bodies = subs.map((s) =>
      JSON.stringify({
        value: Array.from({ length: batch }, () => ({
          subscriptionId: s.graph_subscription_id,
          subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
          changeType: 'updated',
          resource: `Users/${s.user_id}/Messages/${s.graph_id}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Message',
            '@odata.id': `Users/${s.user_id}/Messages/${s.graph_id}`,
            id: s.graph_id,
          },
          clientState: s.client_state,
          tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad',
        })),
      }),
    );
    const target = new URL(graphWebhookUrl(producerUrl, 'notifications'));
    if (target.hostname !== '127.0.0.1') throw new Error(`the load generator is loopback only: ${target}`);
    const agent = new Agent({ keepAlive: true, maxSockets: connections });
    const maxRequests = Math.ceil(200_000 / batch);
    const responseMs: number[] = [];
    const statuses: Record<string, number> = {};
    let sent = 0;
    let accepted = 0;
    const openAgent = new Agent({ keepAlive: true, maxSockets: 256 });
    const post = (body: string, via: Agent = agent) =>
      new Promise<number>((done) => {
        const req = request(
          {
            agent: via,
            host: '127.0.0.1',
            port: Number(target.port),
            path: target.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            timeout: 10_000,
          },
          (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode ?? 0));
          },
        );
        req.on('timeout', () => req.destroy());
        req.on('error', () => done(0));
        req.end(body);
      });
    const tw = performance.now();
    const stopAt = tw + webhookSeconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < stopAt && sent < maxRequests) {
          const body = bodies[sent++ % bodies.length];
          const start = performance.now();
          const status = await post(body);
          responseMs.push(performance.now() - start);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 202) accepted += batch;
        }
      }),
    );
    const webhookElapsed = (performance.now() - tw) / 1000;
    agent.destroy();
    const webhook = summary(responseMs);
    const acceptedPerSecond = accepted / webhookElapsed;

    // 2b. Latency at the target rate: an open-loop generator (a request every batch/rate seconds, whatever the
    // answers), since a saturated closed loop only measures its own queue (Little's law).
    const atRate = await webhookAtRate(
      bodies,
      batch,
      webhookRate / batch,
      Math.min(webhookSeconds, 5),
      (body) => post(body, openAgent),
    );
    openAgent.destroy();

    const result = {
      mailboxes,
      subscribedMailboxes: benches.length,
      notSubscribed,
      setupSeconds: round(setupSeconds, 1),
      loop: {
        targetRate: rate,
        achievedRate: Math.round(achievedRate),
        seconds,
        warmupSeconds,
        warmupToSseMs: warmSse,
        delivered: sentAt.size,
        deliveryErrors,
        deliveryErrorSamples: [...deliveryErrorSamples],
        toPostgresMs: pg,
        toSseMs: sse,
        lostPostgres: lostPg,
        lostSse,
        lossDeadlineMs: LOSS_DEADLINE_MS,
        rowsArrivedAfterDeadline: rowsAfterDeadline,
      },
      webhook: {
        connections,
        batch,
        seconds: round(webhookElapsed, 2),
        requests: responseMs.length,
        statuses,
        acceptedNotifications: accepted,
        acceptedPerSecond: Math.round(acceptedPerSecond),
        responseMs: webhook,
        atTargetRate: { notificationsPerSecond: webhookRate, ...atRate },
      },
      cpus: (await import('node:os')).cpus().length,
      at: new Date().toISOString(),
    };
    const table: Array<[string, string, string, boolean]> = [
      ['injection rate (events/s)', `${result.loop.achievedRate}`, `${rate}`, achievedRate >= rate * 0.95],
      ['→ PostgreSQL p50 / p99', `${pg.p50} / ${pg.p99} ms`, '', true],
      ['→ PostgreSQL max', `${pg.max} ms`, '', true],
      ['→ SSE p50', `${sse.p50} ms`, '', true],
      ['→ SSE p99', `${sse.p99} ms`, '< 1000 ms', sse.p99 < 1000],
      ['→ SSE max', `${sse.max} ms`, '', true],
      [`(warm-up, first ${warmupSeconds} s) SSE p99`, `${warmSse.p99} ms`, '', true],
      ['not in 30 s (PostgreSQL / SSE)', `${lostPg} / ${lostSse}`, '0', lostPg === 0 && lostSse === 0],
      [
        'webhook accepted notif./s',
        `${result.webhook.acceptedPerSecond}`,
        '≥ 5000',
        acceptedPerSecond >= 5000,
      ],
      ['webhook p99, saturated', `${webhook.p99} ms`, '', true],
      ['webhook max, saturated', `${webhook.max} ms`, '< 3000 ms', webhook.max < 3000],
      [
        `webhook p99 at ${webhookRate}/s`,
        `${atRate.responseMs.p99} ms`,
        '< 50 ms',
        atRate.responseMs.p99 < 50,
      ],
      [
        `webhook accepted at ${webhookRate}/s`,
        `${atRate.acceptedPerSecond}`,
        `≥ ${Math.round(webhookRate * 0.95)}`,
        atRate.acceptedPerSecond >= webhookRate * 0.95,
      ],
    ];
    console.log(
      `\nloop: ${sentAt.size} new messages over ${benches.length} mailboxes at ${result.loop.achievedRate}/s; ` +
        `webhook: ${responseMs.length} POSTs of ${batch} on ${connections} connections in ` +
        `${result.webhook.seconds} s, statuses ${JSON.stringify(statuses)} (Graph's deadline: 3 s)`,
    );
    if (deliveryErrors > 0) console.log(`delivery errors: ${[...deliveryErrorSamples].join(' | ')}`);
    if (lostPg > 0)
      console.log(`of the ${late.length} rows missing at the deadline, ${rowsAfterDeadline} came later`);
    for (const [name, value, limit, ok] of table) {
      console.log(
        `${name.padEnd(30)} ${value.padStart(14)}   ${limit.padEnd(10)} ${limit ? (ok ? 'ok' : 'MISSED') : ''}`,
      );
    }
    const dir = resolve(REPO, '.data/bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, 'realtime.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`p99 notification → dashboard: ${sse.p99} ms`);
  } finally {
    for (const b of benches) b.stream.close();
    await consumer?.kill('SIGTERM');
    await producer?.kill('SIGTERM');
    // The bench's users go with their mailboxes' rows and subscriptions (ON DELETE CASCADE).
    if (users.length > 0) await db.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [users]);
    await app.close();
    await emulator.stop();
  }
}

/** Sends a request every 1/requestsPerSecond s for `seconds`, not waiting for answers; times each one. */
async function webhookAtRate(
  bodies: string[],
  batch: number,
  requestsPerSecond: number,
  seconds: number,
  post: (body: string) => Promise<number>,
): Promise<{ requests: number; acceptedPerSecond: number; responseMs: ReturnType<typeof summary> }> {
  const times: number[] = [];
  const pending: Promise<void>[] = [];
  let accepted = 0;
  const total = Math.round(requestsPerSecond * seconds);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / requestsPerSecond - performance.now();
    if (wait > 1) await sleep(wait);
    const body = bodies[i % bodies.length];
    const start = performance.now();
    pending.push(
      post(body).then((status) => {
        times.push(performance.now() - start);
        if (status === 202) accepted += batch;
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  return { requests: total, acceptedPerSecond: Math.round(accepted / elapsed), responseMs: summary(times) };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
