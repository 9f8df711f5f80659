// The whole real-time loop against the real stack, with every piece a process of its own as in production:
// an emulator (http webhooks allowed) → the producer's webhook → update_email_subscription on Kafka → the
// consumer (a group of its own, starting at the topics' end) → PostgreSQL → notify_user_mutate_email → the
// producer → the owner's SSE stream, and no other user's. The subscription itself is made by the consumer
// after the first sync, with the producer answering Graph's validation handshake.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import { KafkaPublisher, runMigrations } from '@core-email/platform';
import { eventually, EmulatorProcess, startEmulatorProcess } from '@core-email/platform/testing';
import { ConsumerProcess, emulatorEnv, startConsumerProcess } from './support/consumer-process';
import { groupAtTopicEnd, testKafka, waitForGroup } from './support/kafka-group';
import {
  ApiUser,
  connectOutlookThroughApi,
  EventStream,
  newApiUser,
  openEventStream,
  ProducerProcess,
  ReceivedEvent,
  startProducerProcess,
} from './support/producer-process';
import { startSyncContext } from './support/sync-app';

let emulator: EmulatorProcess;
let producer: ProducerProcess;
let consumer: ConsumerProcess;
let app: INestApplicationContext;
let db: DataSource;
let kafka: Kafka;
let publisher: KafkaPublisher;
const streams: EventStream[] = [];

before(async () => {
  emulator = await startEmulatorProcess({ EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true' });
  // The Nest context is only this test's database.
  const started = await startSyncContext(emulatorEnv(emulator.url));
  app = started.app;
  await runMigrations(started.config.infra.database);
  db = app.get<DataSource>(getDataSourceToken());
  kafka = testKafka();
  publisher = new KafkaPublisher(kafka);
  producer = await startProducerProcess(emulator.url);
  const group = `realtime-loop-${randomUUID()}`;
  await groupAtTopicEnd(kafka, group);
  consumer = await startConsumerProcess(group, emulator.url, {
    PUBLIC_BASE_URL: producer.url,
    // The scheduler would publish polling syncs of other users' mailboxes to this emulator.
    SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
  });
  await waitForGroup(kafka, group, 1);
});

after(async () => {
  for (const s of streams) s.close();
  await consumer?.kill('SIGTERM');
  await producer?.kill('SIGTERM');
  await publisher?.disconnect();
  await app?.close();
  await emulator?.stop();
});

async function stream(user: ApiUser): Promise<EventStream> {
  const s = await openEventStream(producer.url, user.token);
  streams.push(s);
  assert.equal(s.status, 200);
  return s;
}

/** An email_ack of the user's own making: delivered once the producer's events group reads the topic. */
async function probe(userId: string): Promise<string> {
  const runId = randomUUID();
  await publisher.publish(TOPICS.emailAck, {
    userId,
    runId,
    status: 'running',
    done: 0,
    total: 1,
    folders: [],
    at: new Date().toISOString(),
  });
  return runId;
}

/** The ids a `mail` event names, by list. */
function mailEvents(s: EventStream) {
  return s.events
    .filter((e) => e.event === 'mail')
    .map((e) => e.data as { created: string[]; updated: string[]; deleted: string[] });
}

async function mailEventAbout(s: EventStream, list: 'created' | 'updated' | 'deleted', id: string) {
  return eventually(
    async () => mailEvents(s).find((e) => e[list].includes(id)),
    30_000,
    `a mail event with ${id} in ${list}`,
  );
}

async function row(userId: string, id: string) {
  const [r] = (await db.query(
    `SELECT graph_id, folder_graph_id, is_read, subject FROM emails WHERE user_id = $1 AND graph_id = $2`,
    [userId, id],
  )) as Array<{ graph_id: string; folder_graph_id: string; is_read: boolean; subject: string }>;
  return r;
}

test('changes made in the emulator reach PostgreSQL and the owner’s SSE stream, and no other user’s', async () => {
  const [a, b] = [await newApiUser(producer.url), await newApiUser(producer.url)];
  const [streamA, streamB] = [await stream(a), await stream(b)];
  // The producer's events group starts at the newest events: wait until it reads them.
  await eventually(
    async () => {
      const runId = await probe(a.id);
      return eventually(async () => streamA.events.some((e) => e.data.runId === runId), 2_000);
    },
    30_000,
    'the producer forwarding events',
  );
  streamA.events.length = 0;

  // A seeded mailbox connected to A through the API: the producer stores it and publishes sync_email (full).
  const address = `loop-${randomUUID()}@contoso.test`;
  const password = 'pw-123456';
  await emulator.control('POST', '/mailboxes', { address, password, displayName: 'Loop Test' });
  await emulator.control('POST', `/mailboxes/${address}/seed`, { messages: 40 });
  const landing = await connectOutlookThroughApi(producer.url, a, { username: address, password });
  assert.equal(landing.searchParams.get('outlook'), 'connected');

  const finished = await eventually(
    async () => streamA.events.find((e) => e.event === 'sync' && e.data.status === 'finished'),
    40_000,
    'email_ack finished on A’s stream',
  );
  assert.equal(finished.data.done, finished.data.total);

  // After the first full sync the consumer subscribes at Graph, with the producer answering the handshake.
  const mailbox = (await emulator.control('GET', `/mailboxes/${address}`)) as { id: string };
  const subscription = await eventually(
    async () => {
      const { value } = (await emulator.control('GET', '/subscriptions')) as {
        value: Array<{ id: string; mailboxId: string; notificationUrl: string }>;
      };
      return value.find((s) => s.mailboxId === mailbox.id);
    },
    30_000,
    'a subscription at the emulator',
  );
  assert.equal(subscription.notificationUrl, `${producer.url}/api/webhooks/graph/notifications`);
  await eventually(
    async () =>
      (
        (await db.query(
          `SELECT 1 FROM graph_subscriptions WHERE user_id = $1 AND status = 'active' AND graph_subscription_id = $2`,
          [a.id, subscription.id],
        )) as unknown[]
      ).length === 1,
    10_000,
    'the active graph_subscriptions row',
  );

  const inbox = (
    (await emulator.control('GET', `/mailboxes/${address}/folders/inbox/messages`)) as {
      value: Array<{ id: string; isRead: boolean; parentFolderId: string }>;
    }
  ).value;
  const toRead = inbox.find((m) => !m.isRead);
  assert.ok(toRead, 'an unread message in the inbox');
  const [toMove, toDelete] = inbox.filter((m) => m.id !== toRead.id);
  for (const m of [toRead, toMove, toDelete]) assert.ok(await row(a.id, m.id), 'synced before the changes');

  // New mail in the inbox → a row and `created`.
  const delivered = (await emulator.control('POST', `/mailboxes/${address}/messages`, {
    subject: 'real-time loop',
    bodyHtml: '<p>hello</p>',
    from: { name: 'Sender', address: 'sender@example.test' },
  })) as { id: string; folderId: string };
  await mailEventAbout(streamA, 'created', delivered.id);
  const created = await row(a.id, delivered.id);
  assert.equal(created?.subject, 'real-time loop');
  assert.equal(created.folder_graph_id, delivered.folderId);

  // Marked read → is_read and `updated`.
  await emulator.control('PATCH', `/mailboxes/${address}/messages/${toRead.id}`, { isRead: true });
  await mailEventAbout(streamA, 'updated', toRead.id);
  assert.equal((await row(a.id, toRead.id)).is_read, true);

  // Moved to the archive → the row in the new folder (same immutable id) and `updated`.
  const moved = (await emulator.control('POST', `/mailboxes/${address}/messages/${toMove.id}/move`, {
    destination: 'archive',
  })) as { id: string; folderId: string };
  assert.equal(moved.id, toMove.id);
  assert.notEqual(moved.folderId, toMove.parentFolderId);
  await mailEventAbout(streamA, 'updated', toMove.id);
  assert.equal((await row(a.id, toMove.id)).folder_graph_id, moved.folderId);

  // Deleted → the row gone and `deleted`.
  await emulator.control('DELETE', `/mailboxes/${address}/messages/${toDelete.id}`);
  await mailEventAbout(streamA, 'deleted', toDelete.id);
  assert.equal(await row(a.id, toDelete.id), undefined);

  // B's stream is live (its own event arrives) and carried nothing else: none of A's sync or mail events.
  const forB = await probe(b.id);
  await eventually(async () => streamB.events.some((e) => e.data.runId === forB), 20_000, 'B’s own event');
  assert.deepEqual(
    streamB.events.map((e: ReceivedEvent) => [e.event, e.data.runId]),
    [['sync', forB]],
  );
});
