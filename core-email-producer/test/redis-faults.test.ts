// Redis faults against the local stack's real 6-node cluster (M2, M12): a master killed with SIGKILL while
// a client reads every 50 ms (every answer a 200), every node stopped (a quick 503 with Retry-After, never
// a hang, and service again once they resume), and forged cursors that must not become cache entries. The
// stack is restored in `after` (`stack:up` restarts the killed node, which rejoins as a replica).
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { DataSource } from 'typeorm';
import { mailCacheKey, recordMailWrite, REDIS_CLUSTER } from '@core-email/platform';
import { eventually } from '@core-email/platform/testing';
import { MAIL_CACHE_MAX_ENTRIES } from '../src/mail/mail-cache.repository';
import { RunningProducer, startProducer } from './support/app';
import { insertEmails } from './support/mail';
import { apiClient, ApiClient, clientAddress, newUser, TestUser } from './support/users';

// dist/test → repository root
const REPO = resolve(__dirname, '..', '..', '..');
const run = promisify(execFile);
const PORTS = (process.env.STACK_REDIS_PORTS ?? '17001 17002 17003 17004 17005 17006')
  .split(/\s+/)
  .filter(Boolean)
  .map(Number);
/** Only to tell a hang from an answer: the answers themselves come within about a second. */
const HANG_MS = 10_000;

let producer: RunningProducer;
let api: ApiClient;
let db: DataSource;
let redis: Cluster;
let stackTouched = false;
const stopped: number[] = [];

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
  db = producer.app.get(DataSource);
  redis = producer.app.get<Cluster>(REDIS_CLUSTER);
});

after(async () => {
  for (const pid of stopped.splice(0)) resume(pid);
  await producer?.app.close();
  if (stackTouched) await restoreStack();
});

/** `stack:up`: restarts a killed node (it rejoins as a replica) and waits for a healthy, synced cluster. */
async function restoreStack(): Promise<void> {
  await run('bash', [resolve(REPO, 'scripts/stack/stack.sh'), 'up'], { timeout: 420_000 });
}

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // already gone
  }
}

/** One admin connection to one node (not through the cluster client under test). */
async function onNode<T>(port: number, work: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await node.connect();
    return await work(node);
  } finally {
    node.disconnect();
  }
}

async function pidOf(port: number): Promise<number> {
  const info = await onNode(port, (node) => node.info('server'));
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

/** The port of the master serving `slot`, as the node on `askPort` sees it. */
async function masterOf(slot: number, askPort: number): Promise<number> {
  const slots = await onNode(askPort, (node) => node.cluster('SLOTS'));
  const range = slots.find(([start, end]) => slot >= start && slot <= end);
  if (!range?.[2]) throw new Error(`slot ${slot} is not served`);
  return range[2][1];
}

function slotOfUser(userId: string): Promise<number> {
  return onNode(PORTS[0], (node) => node.cluster('KEYSLOT', `{u:${userId}}`) as Promise<number>);
}

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
}

/** One request with a client timeout that only a hang reaches (then status 0). */
async function timed(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const started = Date.now();
  const headers: Record<string, string> = { 'x-forwarded-for': clientAddress() };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${producer.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(HANG_MS),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, ms: Date.now() - started, retryAfter: null };
  }
}

async function userWithMail(count = 3): Promise<TestUser> {
  const user = await newUser(api);
  await insertEmails(db, user.id, count);
  await recordMailWrite(redis, db, user.id);
  return user;
}

function summary(answers: Answer[]): string {
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const over = (limit: number) => ms.filter((m) => m > limit).length;
  return (
    `${answers.length} requests, statuses ${JSON.stringify([...byStatus])}, median ${ms[ms.length >> 1]} ms, ` +
    `slowest ${ms[ms.length - 1]} ms, ${over(200)} over 200 ms, ${over(1000)} over 1 s`
  );
}

test('a master killed (SIGKILL) while a client reads every 50 ms: every answer is a 200', async (t) => {
  const user = await userWithMail();
  const slot = await slotOfUser(user.id);
  const victimPort = await masterOf(slot, PORTS[0]);
  const survivor = PORTS.find((p) => p !== victimPort)!;
  const victim = await pidOf(victimPort);

  const answers: Answer[] = [];
  const inFlight: Promise<void>[] = [];
  const reader = setInterval(() => {
    inFlight.push(timed('GET', '/api/mail/messages', user.token).then((a) => void answers.push(a)));
  }, 50);
  try {
    await sleep(500);
    stackTouched = true;
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    // The user's session and cache keys live on the killed master: wait for its replica to take over.
    await eventually(
      async () =>
        (await masterOf(slot, survivor).catch(() => victimPort)) !== victimPort ? true : undefined,
      30_000,
      'a replica took over',
    );
    const failoverMs = Date.now() - killedAt;
    await sleep(3000); // and a while on the new master
    clearInterval(reader);
    await Promise.all(inFlight);
    t.diagnostic(`failover took ${failoverMs} ms; ${summary(answers)}`);
  } finally {
    clearInterval(reader);
    await Promise.all(inFlight);
    await restoreStack();
  }
  const failed = answers.filter((a) => a.status !== 200);
  assert.deepEqual(failed, [], `every answer a 200 (${summary(answers)})`);
  assert.ok(answers.length > 40, `the client kept reading (${answers.length} requests)`);
});

test('every Redis node stopped (SIGSTOP): reads and log-in a quick 503 with Retry-After, never a hang, sign-up served; back to 200 after', async (t) => {
  const user = await userWithMail();
  const pids = await Promise.all(PORTS.map(pidOf));
  stackTouched = true;
  for (const pid of pids) {
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
  }
  let read: Answer, logIn: Answer, signUp: Answer;
  try {
    read = await timed('GET', '/api/mail/messages', user.token);
    logIn = await timed('POST', '/api/auth/log-in', undefined, {
      email: user.email,
      password: user.password,
    });
    signUp = await timed('POST', '/api/auth/sign-up', undefined, {
      email: `down-${Date.now()}@example.test`,
      userName: 'Down',
      password: 'correct horse battery',
    });
  } finally {
    for (const pid of stopped.splice(0)) resume(pid);
  }
  const line = `read ${read.status} in ${read.ms} ms, log-in ${logIn.status} in ${logIn.ms} ms, sign-up ${signUp.status} in ${signUp.ms} ms`;
  t.diagnostic(line);
  for (const [what, answer] of [
    ['authenticated read', read],
    ['log-in', logIn],
  ] as const) {
    assert.equal(answer.status, 503, `${what}: 503, not a hang (0) or a 500`);
    assert.match(answer.retryAfter ?? '', /^\d+$/, `${what}: Retry-After`);
  }
  // Sign-up writes nothing to Redis; its throttler counts in the process while the cluster is gone.
  assert.equal(signUp.status, 201, 'sign-up needs no Redis');

  const resumedAt = Date.now();
  await eventually(
    async () => ((await timed('GET', '/api/mail/messages', user.token)).status === 200 ? true : undefined),
    30_000,
    'reads answered again',
  );
  t.diagnostic(`reads answered 200 again ${Date.now() - resumedAt} ms after the nodes resumed`);
  const again = await timed('POST', '/api/auth/log-in', undefined, {
    email: user.email,
    password: user.password,
  });
  assert.equal(again.status, 200, 'log-in works again');
});

test('forged cursors, unknown folders and many page sizes do not fill the cache (M12)', async () => {
  const user = await userWithMail(5);
  const slot = await slotOfUser(user.id);
  const prefix = producer.config.infra.redis.keyPrefix;
  const entries = async () => {
    const port = await masterOf(slot, PORTS[0]);
    const keys = (await onNode(port, (node) => node.cluster('GETKEYSINSLOT', slot, 10_000))) as string[];
    // mail:{u:<id>}:v<version>:<what>, not the version and LSN marks nor the entry index
    const base = `${prefix}${mailCacheKey(user.id, '')}`;
    return keys
      .filter((k) => k.startsWith(base) && /^v\d+:/.test(k.slice(base.length)) && !k.endsWith(':entries'))
      .sort();
  };
  const get = async (path: string) => {
    const res = await api.call('GET', path, undefined, user.token);
    assert.equal(res.status, 200, path);
    return res.body;
  };

  assert.equal((await get('/api/mail/messages?limit=2')).items.length, 2);
  assert.equal((await entries()).length, 1, 'the first page is cached');

  for (let i = 1; i <= 30; i++) {
    const cursor = Buffer.from(JSON.stringify({ r: '2099-01-01T00:00:00.000000Z', i: String(i) })).toString(
      'base64url',
    );
    assert.ok((await get(`/api/mail/messages?limit=2&cursor=${cursor}`)).items.length > 0);
  }
  for (let i = 0; i < 10; i++) {
    assert.equal((await get(`/api/mail/messages?folderId=forged-${i}`)).items.length, 0);
  }
  assert.equal((await entries()).length, 1, 'no entry for a cursor page or an empty page');

  for (let limit = 1; limit <= 40; limit++) await get(`/api/mail/messages?limit=${limit}`);
  assert.equal((await entries()).length, MAIL_CACHE_MAX_ENTRIES, 'page sizes fill at most the user share');
});
