// The audit end to end, every piece a process of its own as in production: the dashboard's calls to the
// producer (POST /api/mail/audit) → audit_mailbox on Kafka → the consumer (a group of its own, starting at the
// topics' end) → Graph (an emulator of the test's own) and PostgreSQL → GET /api/mail/audit, and the repair
// on the owner's SSE stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { runMigrations } from '@core-email/platform';
import { eventually, EmulatorProcess, startEmulatorProcess } from '@core-email/platform/testing';
import { ConsumerProcess, emulatorEnv, startConsumerProcess } from './support/consumer-process';
import { assertMailboxExact } from './support/ground-truth';
import { groupAtTopicEnd, testKafka, waitForGroup } from './support/kafka-group';
import {
  callApi,
  connectOutlookThroughApi,
  newApiUser,
  openEventStream,
  ProducerProcess,
  startProducerProcess,
} from './support/producer-process';
import { startSyncContext } from './support/sync-app';

let emulator: EmulatorProcess;
let producer: ProducerProcess;
let consumer: ConsumerProcess;
let app: INestApplicationContext;
let db: DataSource;

before(async () => {
  emulator = await startEmulatorProcess({});
  // The Nest context is only this test's database.
  const started = await startSyncContext(emulatorEnv(emulator.url));
  app = started.app;
  await runMigrations(started.config.infra.database);
  db = app.get<DataSource>(getDataSourceToken());
  producer = await startProducerProcess(emulator.url);
  const kafka = testKafka();
  const group = `audit-loop-${randomUUID()}`;
  await groupAtTopicEnd(kafka, group);
  consumer = await startConsumerProcess(group, emulator.url, {
    SUBSCRIPTIONS_ENABLED: 'false',
    // The scheduler would publish polling syncs of other users' mailboxes to this emulator.
    SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
  });
  await waitForGroup(kafka, group, 1);
});

after(async () => {
  await consumer?.kill('SIGTERM');
  await producer?.kill('SIGTERM');
  await app?.close();
  await emulator?.stop();
});

test('Check now through the API: the consumer audits, repairs a row deleted behind its back, and GET shows it', async () => {
  const address = `audit-loop-${randomUUID()}@contoso.test`;
  const password = 'pw-123456';
  await emulator.control('POST', '/mailboxes', { address, password, displayName: 'Audit Loop' });
  await emulator.control('POST', `/mailboxes/${address}/seed`, { messages: 40 });
  const user = await newApiUser(producer.url);
  const back = await connectOutlookThroughApi(producer.url, user, { username: address, password });
  assert.equal(back.searchParams.get('outlook'), 'connected');
  await eventually(
    async () => {
      const sync = await callApi(producer.url, 'GET', '/api/mail/sync', undefined, user.token);
      return sync.body.run?.status === 'finished' ? true : undefined;
    },
    60_000,
    'the first sync finished',
  );

  const [[{ graph_id: lost, folder_graph_id: folder }]] = (await db.query(
    `DELETE FROM emails WHERE id = (SELECT min(id) FROM emails WHERE user_id = $1)
     RETURNING graph_id, folder_graph_id`,
    [user.id],
  )) as [{ graph_id: string; folder_graph_id: string }[], number];
  const events = await openEventStream(producer.url, user.token);
  try {
    const asked = await callApi(producer.url, 'POST', '/api/mail/audit', {}, user.token);
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    const audit = await eventually(
      async () => {
        const res = await callApi(producer.url, 'GET', '/api/mail/audit', undefined, user.token);
        return res.body.requestedAt === null && res.body.folders.length > 0 ? res.body : undefined;
      },
      60_000,
      'the requested audit recorded',
    );
    assert.equal(audit.status, 'repaired');
    assert.ok(audit.lastProvenCompleteAt, 'proven complete by this audit');
    const repaired = audit.folders.find((f: { folderId: string }) => f.folderId === folder);
    assert.ok(repaired, `folder ${folder} in ${JSON.stringify(audit.folders)}`);
    assert.deepEqual(
      [repaired.missing, repaired.extra, repaired.stale, repaired.repaired, repaired.status],
      [1, 0, 0, 1, 'repaired'],
    );
    await assertMailboxExact(db, emulator.control, address, user.id);
    await eventually(
      async () =>
        events.events.find(
          (e) => e.event === 'mail' && (e.data.created as string[] | undefined)?.includes(lost),
        ),
      30_000,
      'a mail event naming the restored message',
    );
  } finally {
    events.close();
  }
});
