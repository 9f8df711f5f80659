// POST /api/mail/resync publishes a sync_email job for the caller's connected mailbox, and refuses otherwise.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@core-email/contracts';
import { stackEnv } from '@core-email/platform/testing';
import { RunningProducer, startProducer } from './support/app';
import { connectOutlook, newMailbox } from './support/outlook';
import { apiClient, ApiClient, newUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
let consumer: Consumer;
const received: Array<Record<string, unknown>> = [];

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
  // A throwaway group reading from the latest offsets: only jobs published by this file's tests.
  const kafka = new Kafka({
    brokers: stackEnv(process.env).KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  consumer = kafka.consumer({ groupId: `mail-resync-test-${Date.now()}`, maxWaitTimeInMs: 200 });
  const ready = new Promise<void>((r) => consumer.on(consumer.events.FETCH, () => r()));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.syncEmail, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(JSON.parse(String(message.value)) as Record<string, unknown>);
    },
  });
  await ready;
});

after(async () => {
  await consumer?.disconnect();
  await producer?.app.close();
});

async function published(runId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const found = received.find((m) => m.runId === runId);
    if (found) return found;
    await sleep(50);
  }
  throw new Error(`no sync_email for run ${runId}`);
}

test('a connected mailbox: 202 with a runId, and sync_email (incremental by default, or full) is published', async () => {
  const user = await newUser(api);
  const location = await connectOutlook(producer, api, user, await newMailbox());
  assert.equal(location?.searchParams.get('outlook'), 'connected');

  const res = await api.call('POST', '/api/mail/resync', {}, user.token);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.match(res.body.runId, /^[0-9a-f-]{36}$/);
  const job = await published(res.body.runId);
  assert.equal(job.userId, user.id);
  assert.equal(job.mode, 'incremental');
  assert.equal(job.reason, 'resync');
  assert.ok(!Number.isNaN(Date.parse(String(job.requestedAt))));

  // Accepted again right away (the consumer takes one user's jobs in order).
  const full = await api.call('POST', '/api/mail/resync', { mode: 'full' }, user.token);
  assert.equal(full.status, 202);
  assert.notEqual(full.body.runId, res.body.runId);
  assert.equal((await published(full.body.runId)).mode, 'full');

  // Pressing Resync again while those runs are queued queues nothing more: the queued run is the answer.
  const presses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      api.call('POST', '/api/mail/resync', { mode: i % 2 ? 'full' : 'incremental' }, user.token),
    ),
  );
  for (const press of presses) {
    assert.equal(press.status, 202);
    assert.equal(press.body.runId, full.body.runId, 'a queued full run covers both modes');
  }
  await sleep(500);
  assert.equal(received.filter((m) => m.userId === user.id && m.reason === 'resync').length, 2);

  const bad = await api.call('POST', '/api/mail/resync', { mode: 'everything' }, user.token);
  assert.equal(bad.status, 400);
  assert.match(bad.body.message[0], /^mode:/);

  const status = await api.call('GET', '/api/mail/sync', undefined, user.token);
  assert.equal(status.body.connection, 'connected');
  assert.equal(status.body.deliveryMode, 'push', 'a new connection expects push delivery');
});

test('409 when the mailbox is not connected (never connected, or disconnected)', async () => {
  const user = await newUser(api);
  const never = await api.call('POST', '/api/mail/resync', undefined, user.token);
  assert.equal(never.status, 409);
  assert.match(never.body.message, /not connected/);

  await connectOutlook(producer, api, user, await newMailbox());
  assert.equal((await api.call('DELETE', '/api/outlook', undefined, user.token)).status, 204);
  const disconnected = await api.call('POST', '/api/mail/resync', {}, user.token);
  assert.equal(disconnected.status, 409);
  assert.match(disconnected.body.message, /disconnected/);
  assert.equal(received.filter((m) => m.userId === user.id && m.reason === 'resync').length, 0);
});
