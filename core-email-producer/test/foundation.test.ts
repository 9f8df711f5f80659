import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConfigError } from '@core-email/platform';
import { eventually, requestJson } from '@core-email/platform/testing';
import { loadProducerConfig } from '../src/config/config';
import { UsersRepository } from '../src/users/users.repository';
import { RunningProducer, startProducer } from './support/app';

let producer: RunningProducer;

before(async () => {
  producer = await startProducer();
});

after(async () => {
  await producer?.app.close();
});

test('a row written through the data source on the primary is read back from the replica', async () => {
  const dataSource = producer.app.get(DataSource);
  const email = `Replica-${randomUUID()}@Example.test`;
  await producer.app.get(UsersRepository).create({ email, userName: 'replica check', passwordHash: 'x' });

  const replica = dataSource.createQueryRunner('slave');
  try {
    const [{ recovery }] = await replica.query('SELECT pg_is_in_recovery() AS recovery');
    assert.equal(recovery, true, 'queries must run on the standby');
    const row = await eventually(
      async () => (await replica.query('SELECT email, user_name FROM users WHERE email = $1', [email]))[0],
      10_000,
      'row on the replica',
    );
    assert.deepEqual(row, { email, user_name: 'replica check' });
  } finally {
    await replica.release();
  }

  const primary = dataSource.createQueryRunner('master');
  try {
    const rows = await primary.query(`SELECT state FROM pg_stat_replication`);
    assert.ok(
      rows.some((r: { state: string }) => r.state === 'streaming'),
      'the replica streams from the primary',
    );
  } finally {
    await primary.release();
  }
});

test('emails are unique regardless of case', async () => {
  const repo = producer.app.get(UsersRepository);
  const email = `Case-${randomUUID()}@example.test`;
  await repo.create({ email, userName: 'a', passwordHash: 'x' });
  await assert.rejects(
    repo.create({ email: email.toUpperCase(), userName: 'b', passwordHash: 'x' }),
    /users_email_lower_key/,
  );
});

test('/api/health lists the primary, the replica, the Redis cluster and Kafka, all up', async () => {
  const res = await requestJson(`${producer.url}/api/health`);
  const body = res.body;
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.status, 'ok');
  assert.equal(body.info.postgres_primary.role, 'primary');
  assert.equal(body.info.postgres_replica.role, 'replica');
  assert.equal(body.info.redis_cluster.state, 'ok');
  assert.equal(body.info.redis_cluster.masters, 3);
  assert.equal(body.info.kafka.status, 'up');
});

test('OpenAPI is served at /api/docs-json and documents the health endpoint; the UI at /api/docs', async () => {
  const doc = (await requestJson(`${producer.url}/api/docs-json`)).body;
  assert.equal(doc.openapi.startsWith('3.'), true);
  assert.ok(doc.paths['/api/health']);
  const ui = await fetch(`${producer.url}/api/docs`);
  assert.equal(ui.status, 200);
  assert.match(await ui.text(), /swagger/i);
});

test('/metrics serves Prometheus text with process metrics', async () => {
  const res = await fetch(`${producer.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /process_cpu_user_seconds_total/);
});

test('an unknown route is a JSON 404, not an HTML page', async () => {
  const res = await requestJson(`${producer.url}/api/no-such-thing`);
  assert.equal(res.status, 404);
  assert.equal(res.body.statusCode, 404);
});

test('a missing or malformed variable stops start-up with a message naming it', () => {
  assert.throws(
    () =>
      loadProducerConfig({
        PORT: 'eighty',
        REDIS_CLUSTER_NODES: 'nohostport',
        KAFKA_BROKERS: '127.0.0.1:9092',
      }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /DB_PRIMARY_URL is required/.test(err.message) &&
      /PORT/.test(err.message) &&
      /REDIS_CLUSTER_NODES: expected host:port/.test(err.message),
  );
});
