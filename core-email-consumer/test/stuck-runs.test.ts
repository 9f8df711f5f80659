// Stuck-run detection against the real PostgreSQL and Kafka. Concurrent checks (each on its own pool
// connection) stand in for several consumer replicas checking at the same time. Other engineers' contexts may run the same check on the
// shared database, so the assertions are about what the whole system did with our runs, whoever did it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { runMigrations } from '@core-email/platform';
import { eventually, listen, testKafka } from '@core-email/platform/testing';
import { SyncRunsRepository } from '../src/sync/repositories/sync-runs.repository';
import { StuckRunsService } from '../src/sync/stuck/stuck-runs.service';
import { startSyncContext } from './support/sync-app';

let app: INestApplicationContext;
let db: DataSource;
let acks: Awaited<ReturnType<typeof listen>>;

before(async () => {
  const started = await startSyncContext({ SYNC_STUCK_AFTER_SECONDS: '60' });
  app = started.app;
  await runMigrations(started.config.infra.database);
  db = app.get<DataSource>(getDataSourceToken());
  acks = await listen(testKafka(), 'email_ack');
});

after(async () => {
  await acks?.stop();
  await app?.close();
});

async function runWithProgressAgo(seconds: number): Promise<{ userId: string; runId: string }> {
  const [{ id: userId }] = (await db.query(
    `INSERT INTO users (email, user_name, password_hash) VALUES ($1, 'stuck test', 'x') RETURNING id`,
    [`stuck-${randomUUID()}@example.test`],
  )) as { id: string }[];
  const runId = randomUUID();
  await db.query(
    `INSERT INTO sync_runs (id, user_id, mode, reason, status, last_progress_at, messages_synced)
     VALUES ($1, $2, 'full', 'initial', 'running', now() - make_interval(secs => $3), 42)`,
    [runId, userId, seconds],
  );
  return { userId, runId };
}

const statusOf = async (runId: string) =>
  ((await db.query(`SELECT status FROM sync_runs WHERE id = $1`, [runId])) as { status: string }[])[0].status;

test('a run without progress is marked stuck once, with one email_ack stuck, by concurrent checks', async () => {
  const stale = await runWithProgressAgo(3600);
  const fresh = await runWithProgressAgo(5);
  const stuck = app.get(StuckRunsService);
  const results = await Promise.all([1, 2, 3, 4].map(() => stuck.check()));
  const mine = results.flat().filter((r) => r.runId === stale.runId);
  assert.ok(mine.length <= 1, 'at most one of our checks marked it (another replica may have been first)');
  assert.equal(await statusOf(stale.runId), 'stuck');
  assert.equal(await statusOf(fresh.runId), 'running', 'a run with recent progress is left alone');

  const ackOf = () => acks.received.map((r) => JSON.parse(r.value)).filter((a) => a.runId === stale.runId);
  const [ack] = await eventually(async () => (ackOf().length > 0 ? ackOf() : null), 15_000, 'stuck ack');
  assert.deepEqual([ack.status, ack.userId, ack.done], ['stuck', stale.userId, 0]);
  // A later check finds nothing more to do for it: the ack is never repeated.
  const again = (await Promise.all([1, 2].map(() => stuck.check()))).flat();
  assert.ok(!again.some((r) => r.runId === stale.runId));
  assert.equal(await statusOf(stale.runId), 'stuck');
});

test('a stuck run that makes progress again is running again', async () => {
  const stale = await runWithProgressAgo(3600);
  await app.get(StuckRunsService).check();
  assert.equal(await statusOf(stale.runId), 'stuck');
  await app.get(SyncRunsRepository).progress(stale.runId, 43);
  assert.equal(await statusOf(stale.runId), 'running');
});
