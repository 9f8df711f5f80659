// Real-time apply against the real PostgreSQL, Redis cluster and Kafka and a graph emulator of the test's own:
// a change in the emulator plus its notification (as the webhook queues it) → the row in PostgreSQL and a
// notify_user_mutate_email naming the message, for its owner. Handlers are driven directly (no consumer group);
// only notify_user_mutate_email is really published, everything else the sync would publish is captured.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import { MailboxTokens, microsoftSettingsFrom } from '@core-email/platform';
import {
  EmulatorProcess,
  startEmulatorProcess,
  listen,
  testKafka,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import { RealtimeModule } from '../src/realtime/realtime.module';
import { UpdateEmailSubscriptionHandler } from '../src/realtime/update-email-subscription.handler';
import { SubscriptionLifecycleService } from '../src/subscriptions/subscription-lifecycle.service';
import { MailboxSyncService } from '../src/sync/mailbox-sync.service';
import { servedRequests } from './support/ground-truth';
import { startFeatureContext, emulatorConsumerConfig } from './support/feature-context';
import { handlerContext, syncJob } from './support/sync-app';

let emulator: EmulatorProcess;
let app: INestApplicationContext;
let db: DataSource;
let handler: UpdateEmailSubscriptionHandler;
let notes: Awaited<ReturnType<typeof listen>>;
let box: ConnectedMailbox;

before(async () => {
  emulator = await startEmulatorProcess({});
  const config = await emulatorConsumerConfig(emulator.url, {
    SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
    REALTIME_COALESCE_MS: '300',
  });
  // Only notify_user_mutate_email goes to the broker: sync_email, email_ack and create_email_subscription of
  // this test's mailbox must not reach other engineers' consumers (they know nothing of this emulator).
  ({ app } = await startFeatureContext(RealtimeModule, config, { send: [TOPICS.notifyUserMutateEmail] }));
  db = app.get<DataSource>(getDataSourceToken());
  handler = app.get(UpdateEmailSubscriptionHandler);
  notes = await listen(testKafka(), TOPICS.notifyUserMutateEmail);
  box = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  await emulator.control('POST', `/mailboxes/${box.address}/seed`, { messages: 30 });
  await app.get(MailboxSyncService).run(syncJob(box.userId, 'full'), handlerContext());
});

after(async () => {
  await notes?.stop();
  await app?.close();
  await emulator?.stop();
});

const control = (method: string, path: string, body?: unknown) =>
  emulator.control(method, `/mailboxes/${box.address}${path}`, body);

function notification(
  changeType: 'created' | 'updated' | 'deleted',
  messageId: string,
): UpdateEmailSubscriptionMessage {
  return {
    userId: box.userId,
    subscriptionId: randomUUID(),
    kind: 'change',
    changeType,
    resource: `Users/x/Messages/${messageId}`,
    messageId,
    receivedAt: new Date().toISOString(),
  };
}

interface Note {
  userId: string;
  created: string[];
  updated: string[];
  deleted: string[];
}

/** The next notify_user_mutate_email of our mailbox that mentions `id`. */
async function noteAbout(id: string): Promise<Note> {
  for (let i = 0; i < 200; i++) {
    const found = notes.received
      .map((r) => ({ key: r.key, note: JSON.parse(r.value) as Note }))
      .find(
        ({ note }) =>
          note.userId === box.userId && [...note.created, ...note.updated, ...note.deleted].includes(id),
      );
    if (found) {
      assert.equal(found.key, box.userId, 'keyed by the owner');
      notes.received.length = 0;
      return found.note;
    }
    await sleep(50);
  }
  throw new Error(`no notify_user_mutate_email about ${id}`);
}

async function row(id: string) {
  const [r] = (await db.query(
    `SELECT graph_id, is_read, flag_status, folder_graph_id, subject FROM emails WHERE user_id = $1 AND graph_id = $2`,
    [box.userId, id],
  )) as Array<{
    graph_id: string;
    is_read: boolean;
    flag_status: string;
    folder_graph_id: string;
    subject: string;
  }>;
  return r;
}

test('a new message: its row in PostgreSQL and notify_user_mutate_email with its id in created', async () => {
  const msg = (await control('POST', '/messages', {
    subject: 'real time hello',
    bodyHtml: '<p>hi</p>',
    from: { name: 'N', address: 'n@x.test' },
  })) as { id: string; folderId: string };
  await handler.handle(notification('created', msg.id), handlerContext());
  const r = await row(msg.id);
  assert.equal(r?.subject, 'real time hello');
  assert.equal(r.folder_graph_id, msg.folderId);
  const note = await noteAbout(msg.id);
  assert.deepEqual(note.created, [msg.id]);
  assert.deepEqual(note.updated, []);
  assert.deepEqual(note.deleted, []);
});

test('read state and flag changes: the row updated and the id in updated', async () => {
  const msg = (await control('POST', '/messages', {
    subject: 'to read',
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
  })) as { id: string };
  await handler.handle(notification('created', msg.id), handlerContext());
  await noteAbout(msg.id);
  await control('PATCH', `/messages/${msg.id}`, { isRead: true, flagStatus: 'flagged' });
  await handler.handle(notification('updated', msg.id), handlerContext());
  const r = await row(msg.id);
  assert.equal(r.is_read, true);
  assert.equal(r.flag_status, 'flagged');
  const note = await noteAbout(msg.id);
  assert.deepEqual(note.updated, [msg.id]);
  assert.deepEqual([...note.created, ...note.deleted], []);
});

test('a move to another folder: the row in the new folder and the id in updated', async () => {
  const msg = (await control('POST', '/messages', {
    subject: 'to move',
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
  })) as { id: string };
  await handler.handle(notification('created', msg.id), handlerContext());
  await noteAbout(msg.id);
  const moved = (await control('POST', `/messages/${msg.id}/move`, { destination: 'archive' })) as {
    id: string;
    folderId: string;
  };
  // Graph sends "deleted" from the source folder and "created" in the destination; both arrive.
  await handler.handle(notification('deleted', msg.id), handlerContext());
  await handler.handle(notification('created', moved.id), handlerContext());
  const r = await row(moved.id);
  assert.equal(r.folder_graph_id, moved.folderId);
  const note = await noteAbout(moved.id);
  assert.deepEqual(note.updated, [moved.id]);
  assert.deepEqual(note.deleted, []);
});

test('a hard delete: the row gone and the id in deleted', async () => {
  const msg = (await control('POST', '/messages', {
    subject: 'to delete',
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
  })) as { id: string };
  await handler.handle(notification('created', msg.id), handlerContext());
  await noteAbout(msg.id);
  await control('DELETE', `/messages/${msg.id}`);
  await handler.handle(notification('deleted', msg.id), handlerContext());
  assert.equal(await row(msg.id), undefined);
  const note = await noteAbout(msg.id);
  assert.deepEqual(note.deleted, [msg.id]);
  assert.deepEqual([...note.created, ...note.updated], []);
});

async function newMessages(count: number, subject: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const m = (await control('POST', '/messages', {
      subject: `${subject} ${i}`,
      bodyHtml: '<p>x</p>',
      from: { name: 'N', address: 'n@x.test' },
    })) as { id: string };
    ids.push(m.id);
  }
  return ids;
}

function notesOfBox(): number {
  return notes.received.filter((r) => (JSON.parse(r.value) as Note).userId === box.userId).length;
}

test('notifications handed over together: one pass fetching each named message once, one note; duplicates change nothing', async () => {
  const ids = await newMessages(3, 'burst');
  const batch = ids.map((id) => notification('created', id));
  batch.push({ ...batch[0] }); // Graph may deliver twice
  const before = await servedRequests(emulator.control, box.address);
  const tokens = app.get(MailboxTokens, { strict: false });
  const read = tokens.getAccessToken.bind(tokens);
  let tokenReads = 0;
  tokens.getAccessToken = (userId: string) => {
    tokenReads += 1;
    return read(userId);
  };
  try {
    await handler.handleMany(batch, handlerContext());
  } finally {
    tokens.getAccessToken = read;
  }
  assert.equal(
    (await servedRequests(emulator.control, box.address)) - before,
    ids.length,
    'one Graph request per message, no folder deltas',
  );
  assert.equal(tokenReads, 1, 'the requests sent together read the access token once');
  const note = await noteAbout(ids[0]);
  assert.deepEqual([...note.created].sort(), [...ids].sort());
  await sleep(500);
  assert.equal(notesOfBox(), 0, 'no second note');
  for (const id of ids) assert.ok(await row(id));
});

test('a notification that names no message runs the folder deltas, which cover what was received before them', async () => {
  const ids = await newMessages(2, 'unnamed');
  const unnamed = { ...notification('created', ids[0]), messageId: undefined };
  const named = notification('created', ids[1]); // received before the delta pass starts
  await handler.handle(unnamed, handlerContext());
  const note = await noteAbout(ids[0]);
  assert.deepEqual([...note.created].sort(), [...ids].sort(), 'the deltas found both');
  const before = await servedRequests(emulator.control, box.address);
  await handler.handle(named, handlerContext());
  assert.equal(await servedRequests(emulator.control, box.address), before, 'covered: no Graph request');
  await sleep(500);
  assert.equal(notesOfBox(), 0, 'no second note');
});

test('missed (Exchange dropped the notifications of a burst): one pass over the deltas applies and notifies what changed', async () => {
  const quiet = await newMessages(3, 'never notified');
  const missed: UpdateEmailSubscriptionMessage = {
    userId: box.userId,
    subscriptionId: randomUUID(),
    kind: 'lifecycle',
    lifecycleEvent: 'missed',
    receivedAt: new Date().toISOString(),
  };
  await handler.handle(missed, handlerContext());
  for (const id of quiet) assert.ok(await row(id), 'stored without its own notification');
  const note = await noteAbout(quiet[0]);
  assert.deepEqual([...note.created].sort(), [...quiet].sort());
});

test('a lifecycle event goes to the lifecycle service', async () => {
  const lifecycle = app.get(SubscriptionLifecycleService);
  const seen: UpdateEmailSubscriptionMessage[] = [];
  const real = lifecycle.handle.bind(lifecycle);
  lifecycle.handle = async (m) => {
    seen.push(m);
  };
  try {
    const m: UpdateEmailSubscriptionMessage = {
      userId: box.userId,
      subscriptionId: randomUUID(),
      kind: 'lifecycle',
      lifecycleEvent: 'reauthorizationRequired',
      receivedAt: new Date().toISOString(),
    };
    await handler.handle(m, handlerContext());
    assert.deepEqual(seen, [m]);
  } finally {
    lifecycle.handle = real;
  }
});

test('a mailbox whose grant was revoked: the change is not applied, and nothing is retried', async () => {
  const msg = (await control('POST', '/messages', {
    subject: 'after revoke',
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
  })) as { id: string };
  await control('POST', '/revoke-grants', {});
  await db.query(
    `UPDATE outlook_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE user_id = $1`,
    [box.userId],
  );
  await handler.handle(notification('created', msg.id), handlerContext()); // resolves: nothing to retry
  assert.equal(await row(msg.id), undefined);
});
