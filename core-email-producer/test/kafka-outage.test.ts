// Kafka faults against the real broker of the local stack (review M4): the producer starts and serves
// without Kafka and says so in /api/health; a connect's first sync job and a resync go through the outbox, so
// they reach Kafka after an outage and no transaction waits on the broker meanwhile; the webhook answers 503
// with Retry-After while the broker is stopped, its send queue does not grow, and nothing it gave up on is
// delivered after recovery. The broker is stopped with SIGSTOP (a hung broker: connections stay open and
// nothing answers) and always resumed, before any assertion can fail the file.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import { KafkaPublisher, PUBLISHER } from '@core-email/platform';
import { eventually, requestJson, stackEnv, waitUntilUp } from '@core-email/platform/testing';
import { RunningProducer, startProducer } from './support/app';
import { authorizeAndSignIn, connectOutlook, followRedirect, newMailbox } from './support/outlook';
import { apiClient, ApiClient, newUser } from './support/users';

const REPO = resolve(__dirname, '..', '..', '..');
const kafka = new Kafka({
  brokers: stackEnv(process.env).KAFKA_BROKERS!.split(','),
  logLevel: logLevel.NOTHING,
});
let producer: RunningProducer;
let api: ApiClient;

/** The broker's JVM: the stack's pid file, or (when that names the shell that launched it) its java child. */
function brokerPid(): number {
  const isBroker = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
    } catch {
      return false;
    }
  };
  const recorded = readFileSync(resolve(REPO, '.data/run/kafka.pid'), 'utf8').trim();
  if (isBroker(recorded)) return Number(recorded);
  const conf = resolve(REPO, '.data/kafka/server.properties');
  const found = readdirSync('/proc').find(
    (pid) =>
      /^\d+$/.test(pid) && isBroker(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(conf),
  );
  if (!found) throw new Error('no Kafka broker of the local stack is running');
  return Number(found);
}

/** Stops the broker (SIGSTOP) for the duration of `during`; it is resumed whatever happens. */
async function withBrokerStopped<T>(during: () => Promise<T>): Promise<T> {
  process.kill(brokerPid(), 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(brokerPid(), 'SIGCONT');
  }
}

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
});

after(async () => {
  try {
    process.kill(brokerPid(), 'SIGCONT');
  } catch {
    // not running: stack:up below starts it
  }
  // Whatever happened, the shared stack is whole again before the lock is released.
  await promisify(execFile)('bash', [resolve(REPO, 'scripts/stack/stack.sh'), 'up'], { timeout: 240_000 });
  await producer?.app.close();
});

/** The real producer (`dist/src/main.js`) as a child process; up once /api/health answers 200. */
async function startProducerProcess(
  overrides: NodeJS.ProcessEnv,
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => done(free));
    });
  });
  const child = spawn(process.execPath, [resolve(__dirname, '..', 'src', 'main.js')], {
    env: { ...process.env, ...stackEnv(process.env), PORT: String(port), ...overrides },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(child, 'producer', `${url}/api/health`, (status) => status === 200, 30);
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

type Offsets = Array<{ partition: number; offset: string }>;

async function offsetsNow(topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.offset }));
  } finally {
    await admin.disconnect();
  }
}

/** Everything on `topic` since `since`, read until `done` says enough (or the timeout). */
async function readSince(
  topic: string,
  since: Offsets,
  done: (values: Array<Record<string, unknown>>) => boolean,
  timeoutMs = 60_000,
): Promise<Array<Record<string, unknown>>> {
  const values: Array<Record<string, unknown>> = [];
  const consumer = kafka.consumer({ groupId: `kafka-outage-test-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        values.push(JSON.parse(String(message.value)) as Record<string, unknown>);
      },
    });
    for (const p of since) consumer.seek({ topic, partition: p.partition, offset: p.offset });
    await eventually(async () => done(values), timeoutMs, `the expected messages on ${topic}`);
    return values;
  } finally {
    await consumer.disconnect();
  }
}

async function outboxRowsOf(userId: string): Promise<number> {
  const [{ n }] = await producer.app
    .get(DataSource)
    .query(`SELECT count(*)::int AS n FROM outbox WHERE convert_from(value, 'UTF8')::jsonb->>'userId' = $1`, [
      userId,
    ]);
  return n;
}

/** Sessions of this database idle inside a transaction for over half a second (anyone's). */
async function idleInTransaction(): Promise<number> {
  const [{ n }] = await producer.app.get(DataSource).query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state LIKE 'idle in transaction%'
        AND now() - state_change > interval '500 milliseconds'`,
  );
  return n;
}

test('Kafka unreachable at start: the producer starts, sign-up, log-in and reads work, health says degraded; a connect and a resync are accepted and delivered once a relay reaches Kafka', async () => {
  const since = await offsetsNow(TOPICS.syncEmail);
  const started = Date.now();
  // `node dist/src/main.js` as `npm start` runs it; nothing listens on port 1: every connection to Kafka fails.
  const cut = await startProducerProcess({ KAFKA_BROKERS: '127.0.0.1:1' });
  let userId: string;
  let runId: string;
  try {
    assert.ok(Date.now() - started < 20_000, `serving after ${Date.now() - started} ms`);
    const cutApi = apiClient(cut.url);
    const user = await newUser(cutApi); // sign-up and log-in
    userId = user.id;
    const me = await cutApi.call('GET', '/api/me', undefined, user.token);
    assert.equal(me.status, 200);
    const mail = await cutApi.call('GET', '/api/mail/messages', undefined, user.token);
    assert.ok(mail.status < 500, `mail read answered ${mail.status}`);

    const health = await requestJson(`${cut.url}/api/health`);
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.equal(health.body.status, 'degraded');
    assert.equal(health.body.error.kafka.status, 'down');
    assert.equal(health.body.error.kafka.degraded, true);
    assert.equal(health.body.info.postgres_primary.status, 'up');
    assert.doesNotMatch(JSON.stringify(health.body), /\d+\.\d+\.\d+\.\d+|:\d{2,5}\b|ECONN/, 'no addresses');

    // connectOutlook needs only the url of the producer it talks to.
    const location = await connectOutlook(
      cut as unknown as RunningProducer,
      cutApi,
      user,
      await newMailbox(),
    );
    assert.equal(location?.searchParams.get('outlook'), 'connected');
    const resync = await cutApi.call('POST', '/api/mail/resync', { mode: 'full' }, user.token);
    assert.equal(resync.status, 202, JSON.stringify(resync.body));
    runId = resync.body.runId;
    assert.equal(await outboxRowsOf(user.id), 2, 'both jobs wait in the outbox');
  } finally {
    await cut.stop();
  }
  // The healthy producer's relay takes them over (any replica's relay can).
  const values = await readSince(
    TOPICS.syncEmail,
    since,
    (v) => v.some((m) => m.runId === runId) && v.some((m) => m.userId === userId && m.reason === 'connected'),
  );
  const jobs = values.filter((m) => m.userId === userId);
  assert.deepEqual(
    jobs.map((m) => m.reason),
    ['connected', 'resync'],
    'in the order they were written (one key)',
  );
  await eventually(async () => (await outboxRowsOf(userId)) === 0, 10_000, 'the outbox emptied');
});

test('the broker stops during a connect: the redirect answers "connected" at once, no transaction stays open, and the first sync job reaches Kafka after the broker is back', async () => {
  const since = await offsetsNow(TOPICS.syncEmail);
  const user = await newUser(api);
  const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
  let runId = '';
  await withBrokerStopped(async () => {
    const started = Date.now();
    const { location } = await followRedirect(redirectUrl, cookie);
    assert.equal(location?.searchParams.get('outlook'), 'connected');
    assert.ok(Date.now() - started < 5_000, `redirect answered in ${Date.now() - started} ms`);
    const resync = await api.call('POST', '/api/mail/resync', {}, user.token);
    assert.equal(resync.status, 202, 'a resync is accepted while Kafka is down');
    runId = resync.body.runId;
    assert.equal(await outboxRowsOf(user.id), 2);
    // The relay keeps trying meanwhile; no transaction (its own or a request's) waits on the broker.
    for (let i = 0; i < 6; i++) {
      assert.equal(await idleInTransaction(), 0, 'no session idle in transaction');
      await sleep(1_000);
    }
    const health = await requestJson(`${producer.url}/api/health`);
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.equal(health.body.status, 'degraded');
    assert.equal(health.body.error.kafka.status, 'down');
    assert.equal(await outboxRowsOf(user.id), 2, 'nothing is lost while the broker is stopped');
  });
  const values = await readSince(
    TOPICS.syncEmail,
    since,
    (v) =>
      v.some((m) => m.runId === runId) && v.some((m) => m.userId === user.id && m.reason === 'connected'),
    90_000,
  );
  assert.ok(values.some((m) => m.userId === user.id && m.mode === 'full' && m.reason === 'connected'));
  await eventually(async () => (await outboxRowsOf(user.id)) === 0, 10_000, 'the outbox emptied');
  await eventually(
    async () => (await requestJson(`${producer.url}/api/health`)).body.status === 'ok',
    30_000,
    'health ok again',
  );
});

/** A user with a live subscription row, as the consumer's create step stores it. */
async function subscribedUser() {
  const user = await newUser(api);
  const sub = { userId: user.id, graphId: randomUUID(), clientState: randomBytes(32).toString('base64url') };
  await producer.app.get(DataSource).query(
    `INSERT INTO graph_subscriptions (user_id, graph_subscription_id, resource, change_types, client_state, expires_at, status)
     VALUES ($1, $2, 'me/messages', 'created,updated,deleted', $3, now() + interval '1 day', 'active')`,
    [sub.userId, sub.graphId, sub.clientState],
  );
  return sub;
}

function notification(sub: { graphId: string; clientState: string }, messageId: string): string {
  const resource = `Users/${randomUUID()}/Messages/${messageId}`;
  return JSON.stringify({
    value: [
      {
        subscriptionId: sub.graphId,
        subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
        changeType: 'created',
        resource,
        resourceData: { '@odata.type': '#Microsoft.Graph.Message', id: messageId },
        clientState: sub.clientState,
        tenantId: randomUUID(),
      },
    ],
  });
}

async function notify(body: string): Promise<{ status: number; retryAfter: string | null; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${producer.url}/api/webhooks/graph/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
}

test('the broker stops: the webhook answers 503 with Retry-After in time, the send queue stays empty, and nothing it gave up on is delivered after recovery, but a catch-up of the mailbox is', async () => {
  const sub = await subscribedUser();
  const publisher = producer.app.get<KafkaPublisher>(PUBLISHER);
  const since = await offsetsNow(TOPICS.updateEmailSubscription);
  const first = `AAMk-first-${randomUUID()}`;
  const later: string[] = [];
  const expiredBefore = publisher.queueStats().expiredRecords;
  await withBrokerStopped(async () => {
    // The first goes on the wire at once (the queue is idle) and cannot be recalled; the rest queue behind it.
    const answer = await notify(notification(sub, first));
    assert.equal(answer.status, 503);
    assert.equal(answer.retryAfter, '5');
    assert.ok(answer.ms < 3_000, `answered in ${answer.ms} ms (Graph waits 3 s)`);
    for (let wave = 0; wave < 3; wave++) {
      const ids = Array.from({ length: 20 }, () => `AAMk-later-${randomUUID()}`);
      later.push(...ids);
      const answers = await Promise.all(ids.map((id) => notify(notification(sub, id))));
      for (const a of answers) {
        assert.equal(a.status, 503);
        assert.equal(a.retryAfter, '5');
        assert.ok(a.ms < 3_000, `answered in ${a.ms} ms`);
      }
      // None of the wave's 20 sends stays queued (kept, they would add up wave after wave); the outbox relay's
      // sends of the mailbox's catch-up (one per relay round, each with its own 10 s deadline) may be waiting.
      const stats = publisher.queueStats();
      assert.ok(stats.queuedSends < ids.length, `wave ${wave}: ${stats.queuedSends} sends left queued`);
    }
    assert.ok(publisher.queueStats().expiredRecords - expiredBefore >= later.length, 'all removed');
  });
  // Recovery: Graph's retries are accepted again...
  const canary = `AAMk-canary-${randomUUID()}`;
  await eventually(
    async () => (await notify(notification(sub, canary))).status === 202,
    90_000,
    'the webhook accepting again',
  );
  // ... and of what was answered 503, nothing but the one on the wire may arrive.
  const missed = (m: Record<string, unknown>) => m.userId === sub.userId && m.lifecycleEvent === 'missed';
  const values = await readSince(
    TOPICS.updateEmailSubscription,
    since,
    (v) => v.some((m) => m.messageId === canary) && v.some(missed),
  );
  await sleep(1_000); // other partitions: nothing for this user is on them anyway
  const delivered = values.filter((m) => m.userId === sub.userId).map((m) => m.messageId as string);
  assert.deepEqual(
    delivered.filter((id) => later.includes(id)),
    [],
    'no notification that was answered 503 from the queue is delivered later',
  );
  assert.ok(delivered.includes(canary));
  // Instead of waiting on Graph's retries, the mailbox got a catch-up (a delta pass) once Kafka was back.
  assert.ok(values.some(missed), 'a missed event for the mailbox, through the outbox');
});
