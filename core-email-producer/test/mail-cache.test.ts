// The read path's cache and read-your-writes rules against the real Redis cluster, primary and replica.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from 'ioredis';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { mailCacheKey, markMailWrite, recordMailWrite, REDIS_CLUSTER } from '@core-email/platform';
import { MailCacheRepository } from '../src/mail/mail-cache.repository';
import { MailReadSource } from '../src/mail/mail-read-source';
import { MailReader } from '../src/mail/mail-reader.service';
import { RunningProducer, startProducer } from './support/app';
import { insertEmails } from './support/mail';
import { apiClient, ApiClient, newUser, TestUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
let db: DataSource;
let redis: Cluster;

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
  db = producer.app.get(DataSource);
  redis = producer.app.get<Cluster>(REDIS_CLUSTER);
});

after(async () => {
  await producer?.app.close();
});

async function firstSubject(user: TestUser): Promise<string> {
  const res = await api.call('GET', '/api/mail/messages?limit=1', undefined, user.token);
  assert.equal(res.status, 200);
  return res.body.items[0].subject;
}

/** Waits until the replica shows what the primary has (so a stale answer can only come from the cache). */
async function replicaHas(sql: string, params: unknown[]): Promise<void> {
  const replica = db.createQueryRunner('slave');
  try {
    for (let i = 0; i < 200; i++) {
      if (((await replica.query(sql, params)) as unknown[]).length > 0) return;
      await sleep(25);
    }
    throw new Error('the replica never caught up');
  } finally {
    await replica.release();
  }
}

test('pages are cached per version; one version bump invalidates them', async () => {
  const user = await newUser(api);
  const [mail] = await insertEmails(db, user.id, 1);
  await recordMailWrite(redis, db, user.id);
  assert.equal(await firstSubject(user), 'subject 0');

  // A change with no bump: the replica has it, the cached page does not.
  await db.query(`UPDATE emails SET subject = 'changed' WHERE user_id = $1`, [user.id]);
  await replicaHas(`SELECT 1 FROM emails WHERE graph_id = $1 AND subject = 'changed'`, [mail.graphId]);
  assert.equal(await firstSubject(user), 'subject 0', 'served from the cache');
  const ttl = await redis.ttl(mailCacheKey(user.id, `v1:list:${JSON.stringify([null, 1])}`));
  assert.ok(ttl > 0 && ttl <= producer.config.env.MAIL_CACHE_TTL_SECONDS, `ttl ${ttl}`);

  await recordMailWrite(redis, db, user.id);
  assert.equal(await firstSubject(user), 'changed');
  // The marks go a day after the user's last write (a deleted user's with them), never before the pages.
  for (const mark of ['version', 'lsn']) {
    const left = await redis.ttl(mailCacheKey(user.id, mark));
    assert.ok(left > producer.config.env.MAIL_CACHE_TTL_SECONDS && left <= 86_400, `${mark} ttl ${left}`);
  }
});

test('read-your-writes: a write on the primary, recorded, is in the very next read (20 times)', async () => {
  const user = await newUser(api);
  await insertEmails(db, user.id, 1, { receivedAt: () => '2020-01-01T00:00:00Z' });
  await recordMailWrite(redis, db, user.id);
  assert.equal(await firstSubject(user), 'subject 0'); // fills the cache
  for (let i = 1; i <= 20; i++) {
    await insertEmails(db, user.id, 1, { receivedAt: () => new Date(Date.UTC(2021, 0, i)).toISOString() });
    await db.query(`UPDATE emails SET subject = $2 WHERE user_id = $1 AND received_at = $3`, [
      user.id,
      `write ${i}`,
      new Date(Date.UTC(2021, 0, i)),
    ]);
    await recordMailWrite(redis, db, user.id);
    assert.equal(await firstSubject(user), `write ${i}`);
  }
});

test('the replica is used unless it has not replayed the recorded write; no mark means the primary', async () => {
  const source = producer.app.get(MailReadSource);
  const [{ lsn }] = (await db.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as { lsn: string }[];
  assert.equal(await source.choose({ version: '1', lsn: null }), 'replica');
  const [high, low] = lsn.split('/');
  const ahead = `${(parseInt(high, 16) + 1).toString(16).toUpperCase()}/${low}`;
  assert.equal(await source.choose({ version: '1', lsn: ahead }), 'primary', 'replica behind the write');
  assert.equal(await source.choose(null), 'primary', 'Redis could not say');
  await replicaHas(`SELECT 1 WHERE pg_last_wal_replay_lsn() >= $1::pg_lsn`, [lsn]);
  assert.equal(await source.choose({ version: '1', lsn }), 'replica');

  // The recorded position only moves forward: an older LSN recorded late does not lower it.
  const user = await newUser(api);
  await markMailWrite(redis, user.id, ahead);
  await markMailWrite(redis, user.id, lsn);
  assert.equal(await redis.get(mailCacheKey(user.id, 'version')), '2');
  assert.equal(
    await producer.app
      .get(MailCacheRepository)
      .mark(user.id)
      .then((m) => m?.lsn),
    ahead,
  );
});

test('an unreachable cache falls through to PostgreSQL (the primary) within its deadline', async () => {
  const user = await newUser(api);
  await insertEmails(db, user.id, 1);
  const hanging = { status: 'ready', mget: () => new Promise(() => undefined) } as unknown as Cluster;
  const cache = new MailCacheRepository(hanging, producer.config, pino({ level: 'silent' }));
  const reader = new MailReader(cache, producer.app.get(MailReadSource));
  const started = Date.now();
  const rows = await reader.read(user.id, 'x', async (q) => {
    assert.equal(q.getReplicationMode(), 'master');
    return (await q.query(`SELECT subject FROM emails WHERE user_id = $1`, [user.id])) as unknown[];
  });
  assert.deepEqual(rows, [{ subject: 'subject 0' }]);
  assert.ok(Date.now() - started < 2000);
});
