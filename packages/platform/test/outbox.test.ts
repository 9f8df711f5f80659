// The outbox's claims against the real PostgreSQL: several relays share it without splitting a key's rows
// (per-key order), acknowledged rows are deleted, failed ones freed, and an abandoned claim taken over.
// Rows of this file use a topic of its own; other rows a claim happens to take are freed at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { infraEnvShape, parseEnv } from '../src/config/env';
import { infraSettingsFrom } from '../src/config/infra-settings';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrate';
import { OutboxRecord, OutboxRepository } from '../src/outbox/outbox.repository';
import { stackEnv } from '../src/testing/stack-env';

const TOPIC = `outbox-test-${randomUUID()}`;
let dataSource: DataSource;
let repo: OutboxRepository;

before(async () => {
  const env = parseEnv(z.object(infraEnvShape), stackEnv(process.env));
  const infra = infraSettingsFrom('outbox-test', env);
  await runMigrations(infra.database);
  dataSource = await new DataSource(buildDataSourceOptions(infra.database)).initialize();
  repo = new OutboxRepository(dataSource);
});

after(async () => {
  await dataSource?.query(`DELETE FROM outbox WHERE topic = $1`, [TOPIC]);
  await dataSource?.destroy();
});

async function add(key: string, value: string): Promise<void> {
  await repo.insert(dataSource.manager, { topic: TOPIC, key, value: Buffer.from(value) });
}

/** A relay's claim, keeping this file's rows (as `key:value`) and freeing any other row at once. */
async function claim(relay: string, leaseMs = 60_000): Promise<string[]> {
  const rows = await repo.claim(relay, 500, leaseMs);
  const others = rows.filter((r) => r.topic !== TOPIC);
  await repo.release(
    relay,
    others.map((r) => r.id),
  );
  return rows.filter((r) => r.topic === TOPIC).map((r: OutboxRecord) => `${r.key}:${r.value.toString()}`);
}

async function idsOf(relay: string): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT id::text AS id FROM outbox WHERE topic = $1 AND claimed_by = $2`,
    [TOPIC, relay],
  )) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

test("two relays: a key's later rows wait while another relay holds its earlier ones; other keys go on", async () => {
  const [r1, r2] = [randomUUID(), randomUUID()];
  await add('a', '1');
  await add('a', '2');
  await add('b', '1');
  assert.deepEqual(await claim(r1), ['a:1', 'a:2', 'b:1'], 'oldest first, in order');
  await add('a', '3');
  await add('c', '1');
  assert.deepEqual(await claim(r2), ['c:1'], "a:3 waits for r1's a:1 and a:2");
  assert.deepEqual(await claim(r2), [], 'claimed rows are not claimed twice');

  await repo.delete(r1, await idsOf(r1)); // r1's send was acknowledged
  assert.deepEqual(await claim(r2), ['a:3']);
  await repo.delete(r2, await idsOf(r2));
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = $1`, [TOPIC]);
  assert.equal(n, 0, 'acknowledged rows are gone');
});

test('a failed send frees its rows (attempts counted); an abandoned claim is taken over after its lease', async () => {
  const [r1, r2] = [randomUUID(), randomUUID()];
  await add('d', '1');
  assert.deepEqual(await claim(r1), ['d:1']);
  await repo.release(r1, await idsOf(r1));
  assert.deepEqual(await claim(r2, 1), ['d:1'], 'freed at once');
  const [{ attempts }] = await dataSource.query(`SELECT attempts FROM outbox WHERE topic = $1`, [TOPIC]);
  assert.equal(attempts, 1);

  await sleep(20); // r2's 1 ms lease passes: r2 is taken as gone
  assert.deepEqual(await claim(r1), ['d:1'], 'taken over');
  await repo.delete(r2, await idsOf(r1)); // r2's late acknowledgement deletes nothing it no longer holds
  assert.deepEqual(await claim(r2), []);
  await repo.delete(r1, await idsOf(r1));
});
