// Graph subscriptions against the real PostgreSQL and Redis cluster and an emulator of the test's own (http
// webhook URLs allowed), whose validation handshake reaches a local receiver standing in for the producer.
// Every check reads the emulator's own subscription state, not only our table.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { Cluster } from 'ioredis';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import {
  deleteMailboxSubscription,
  GraphClients,
  GraphSubscriptionsRepository,
  KAFKA,
  KafkaPublisher,
  microsoftSettingsFrom,
  OutlookAccountsRepository,
  PUBLISHER,
  REDIS_CLUSTER,
  runMigrations,
} from '@core-email/platform';
import {
  EmulatorProcess,
  startEmulatorProcess,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import { ConsumerConfig } from '../src/config/config';
import { CreateEmailSubscriptionHandler } from '../src/subscriptions/create-email-subscription.handler';
import { SubscriptionLifecycleService } from '../src/subscriptions/subscription-lifecycle.service';
import { SubscriptionRenewalHandler } from '../src/subscriptions/subscription-renewal.handler';
import { SubscriptionScheduler } from '../src/subscriptions/subscription-scheduler';
import { SubscriptionMetrics } from '../src/subscriptions/subscription-metrics';
import { SubscriptionService } from '../src/subscriptions/subscription.service';
import { Published, RecordingPublisher } from './support/feature-context';
import { startSubscriptionsContext } from './support/subscriptions-app';
import { startValidationReceiver, ValidationReceiver } from './support/validation-receiver';
import { emulatorEnv } from './support/consumer-process';

let emulator: EmulatorProcess;
let receiver: ValidationReceiver;
let app: INestApplicationContext;
let config: ConsumerConfig;
let published: Published[];
let db: DataSource;
let create: CreateEmailSubscriptionHandler;
let service: SubscriptionService;
let lifecycle: SubscriptionLifecycleService;
let renewal: SubscriptionRenewalHandler;
let repo: GraphSubscriptionsRepository;

before(async () => {
  emulator = await startEmulatorProcess({ EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true' });
  receiver = await startValidationReceiver();
  ({ app, config, published } = await startSubscriptionsContext({
    ...emulatorEnv(emulator.url),
    PUBLIC_BASE_URL: receiver.baseUrl,
  }));
  await runMigrations(config.infra.database);
  db = app.get<DataSource>(getDataSourceToken());
  create = app.get(CreateEmailSubscriptionHandler);
  service = app.get(SubscriptionService);
  lifecycle = app.get(SubscriptionLifecycleService);
  renewal = app.get(SubscriptionRenewalHandler);
  repo = app.get(GraphSubscriptionsRepository);
});

after(async () => {
  await app?.close();
  await receiver?.close();
  await emulator?.stop();
});

interface EmulatorSubscription {
  id: string;
  mailboxId: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  clientState: string;
  expirationDateTime: string;
  needsReauthorization: boolean;
  idType: 'immutable' | 'default';
}

/** The emulator's live subscriptions of one mailbox. */
async function atEmulator(m: ConnectedMailbox): Promise<EmulatorSubscription[]> {
  const mailbox = (await emulator.control('GET', `/mailboxes/${m.address}`)) as { id: string };
  const { value } = (await emulator.control('GET', '/subscriptions')) as { value: EmulatorSubscription[] };
  return value.filter((s) => s.mailboxId === mailbox.id);
}

async function rows(m: ConnectedMailbox) {
  return (await db.query(
    `SELECT graph_subscription_id, client_state, expires_at, status, failure_count, last_error
       FROM graph_subscriptions WHERE user_id = $1 ORDER BY created_at`,
    [m.userId],
  )) as {
    graph_subscription_id: string | null;
    client_state: string;
    expires_at: Date | null;
    status: string;
    failure_count: number;
    last_error: string | null;
  }[];
}

const initial = (m: ConnectedMailbox) =>
  ({ userId: m.userId, reason: 'initial_sync', requestedAt: new Date().toISOString() }) as const;

const lifecycleEvent = (
  m: ConnectedMailbox,
  subscriptionId: string,
  event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed',
) =>
  ({
    userId: m.userId,
    subscriptionId,
    kind: 'lifecycle',
    lifecycleEvent: event,
    receivedAt: new Date().toISOString(),
  }) as const;

async function subscribed(): Promise<{ m: ConnectedMailbox; id: string }> {
  const m = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  await create.handle(initial(m));
  const live = await repo.findActiveByUser(m.userId);
  assert.ok(live, 'a live subscription is stored');
  return { m, id: live.graphSubscriptionId };
}

test('creation stores the id and expiry Graph returned; a redelivered or concurrent job leaves exactly one', async () => {
  const m = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  await create.handle(initial(m));
  await create.handle(initial(m)); // redelivery
  // Two at once (two partitions' worth of retries): one wins the mailbox lock, the other is retried later.
  const both = await Promise.allSettled([create.handle(initial(m)), create.handle(initial(m))]);
  assert.ok(both.some((r) => r.status === 'fulfilled'));
  await create.handle(initial(m)); // the retry

  const atGraph = await atEmulator(m);
  assert.equal(atGraph.length, 1, 'the emulator holds exactly one subscription for the mailbox');
  const [sub] = atGraph;
  const stored = (await rows(m)).filter((r) => r.status === 'active');
  assert.equal(stored.length, 1);
  assert.equal(stored[0].graph_subscription_id, sub.id);
  assert.equal(new Date(stored[0].expires_at!).toISOString(), new Date(sub.expirationDateTime).toISOString());
  // 10,000 minutes: under Graph's 10,070-minute ceiling, so a clock running ahead cannot trip it.
  const minutes = (Date.parse(sub.expirationDateTime) - Date.now()) / 60_000;
  assert.ok(minutes > 9_990 && minutes <= 10_000, `expiry ${minutes} minutes ahead`);
  assert.equal(sub.idType, 'immutable', 'created with Prefer: IdType="ImmutableId"');
  assert.equal(sub.notificationUrl, `${receiver.baseUrl}/api/webhooks/graph/notifications`);
  assert.equal(sub.lifecycleNotificationUrl, `${receiver.baseUrl}/api/webhooks/graph/lifecycle`);
  assert.equal(sub.clientState, stored[0].client_state);
  assert.ok(Buffer.from(sub.clientState, 'base64url').length >= 32, 'clientState carries ≥ 32 random bytes');
  assert.equal(await repo.deliveryMode(m.userId), 'push');
  assert.deepEqual(await repo.findByGraphId(sub.id), {
    userId: m.userId,
    clientState: sub.clientState,
    status: 'active',
  });

  // reconnected: the old one is deleted at Graph and replaced.
  await create.handle({ ...initial(m), reason: 'reconnected' });
  const after = await atEmulator(m);
  assert.equal(after.length, 1);
  assert.notEqual(after[0].id, sub.id);
  assert.equal((await repo.findActiveByUser(m.userId))?.graphSubscriptionId, after[0].id);
  assert.notEqual(after[0].clientState, sub.clientState, 'a new clientState per subscription');
});

test('a failed validation handshake → counted, polling; a later success → push', async () => {
  const m = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  receiver.accept = false;
  try {
    assert.equal(await service.ensure(m.userId, false), 'failed');
    assert.equal(await service.ensure(m.userId, false), 'failed');
  } finally {
    receiver.accept = true;
  }
  assert.equal((await atEmulator(m)).length, 0);
  assert.equal(await repo.deliveryMode(m.userId), 'polling');
  const [failed] = await rows(m);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.failure_count, 2);
  assert.match(failed.last_error ?? '', /validation/i);

  // The scheduler polls it: an incremental sync per polling mailbox.
  const scheduler = new SubscriptionScheduler(
    config,
    app.get<Cluster>(REDIS_CLUSTER),
    app.get<KafkaPublisher>(PUBLISHER), // the app's publisher, sends captured
    repo,
    pino({ level: 'silent' }),
  );
  published.length = 0;
  await scheduler.poll();
  assert.ok(
    published.some(
      (p) =>
        p.topic === 'sync_email' &&
        p.message.userId === m.userId &&
        p.message.mode === 'incremental' &&
        p.message.reason === 'polling',
    ),
  );

  // The renewal tick asks again for a subscription for every polling mailbox; that one succeeds.
  published.length = 0;
  await renewal.handle({ tick: new Date().toISOString(), renewWithinMinutes: 1 });
  const retry = published.find(
    (p) => p.topic === 'create_email_subscription' && p.message.userId === m.userId,
  );
  assert.ok(retry, 'creation is retried');
  await create.handle(retry.message as never);
  assert.equal(await repo.deliveryMode(m.userId), 'push');
  assert.equal((await atEmulator(m)).length, 1);
  const after = await rows(m);
  assert.deepEqual(
    after.map((r) => r.status),
    ['active'],
    'the failed attempts are cleared once one succeeds',
  );
});

test('renewal PATCHes a subscription that expires within the window and stores the new expiry', async () => {
  const { m, id } = await subscribed();
  // As if created six days ago: it now expires within the 24 h window.
  const soon = new Date(Date.now() + 60 * 60_000);
  await db.query(`UPDATE graph_subscriptions SET expires_at = $2 WHERE graph_subscription_id = $1`, [
    id,
    soon,
  ]);
  await renewal.handle({ tick: new Date().toISOString(), renewWithinMinutes: 1_440 });
  const live = await repo.findActiveByUser(m.userId);
  assert.equal(live?.graphSubscriptionId, id, 'renewed, not replaced');
  assert.ok(live!.expiresAt.getTime() > Date.now() + 9_990 * 60_000, 'extended to the full expiry again');
  const [atGraph] = await atEmulator(m);
  assert.equal(new Date(atGraph.expirationDateTime).toISOString(), live!.expiresAt.toISOString());
});

test('renewal of a subscription Graph no longer has → counted, polling, and recreated by the next tick', async () => {
  const { m, id } = await subscribed();
  await emulator.control('POST', `/mailboxes/${m.address}/lifecycle`, { event: 'subscriptionRemoved' });
  await db.query(
    `UPDATE graph_subscriptions SET expires_at = now() + interval '1 hour' WHERE graph_subscription_id = $1`,
    [id],
  );
  published.length = 0;
  await renewal.handle({ tick: new Date().toISOString(), renewWithinMinutes: 1_440 });
  assert.equal(await repo.deliveryMode(m.userId), 'polling');
  assert.equal((await repo.findByGraphId(id))?.status, 'removed');
  const retry = published.find(
    (p) => p.topic === 'create_email_subscription' && p.message.userId === m.userId,
  );
  assert.ok(retry);
  await create.handle(retry.message as never);
  assert.equal(await repo.deliveryMode(m.userId), 'push');
  assert.equal((await atEmulator(m)).length, 1);
});

test('an expiry Graph refuses is asked again just under the ceiling its refusal names', async () => {
  const m = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  // As if Graph's ceiling had moved below what we ask for (it has moved before: 4,230 → 10,080 → 10,070).
  const asksTooMuch = { ...config, env: { ...config.env, SUBSCRIPTION_EXPIRY_MINUTES: 20_000 } };
  const greedy = new SubscriptionService(
    asksTooMuch,
    app.get(GraphClients),
    repo,
    app.get(OutlookAccountsRepository),
    app.get(SubscriptionMetrics),
    app.get<Cluster>(REDIS_CLUSTER),
    pino({ level: 'silent' }),
  );
  assert.equal(await greedy.ensure(m.userId, false), 'created');
  const [sub] = await atEmulator(m);
  const minutes = (Date.parse(sub.expirationDateTime) - Date.now()) / 60_000;
  assert.ok(minutes > 10_060 && minutes <= 10_069, `expiry ${minutes} minutes ahead`);
  assert.equal(await repo.deliveryMode(m.userId), 'push');
});

test('subscriptions made without immutable ids are replaced once by the renewal tick', async () => {
  const { m, id } = await subscribed();
  await db.query(`UPDATE graph_subscriptions SET immutable_ids = false WHERE graph_subscription_id = $1`, [
    id,
  ]);
  published.length = 0;
  await renewal.handle({ tick: new Date().toISOString(), renewWithinMinutes: 1_440 });
  const replace = published.find(
    (p) => p.topic === 'create_email_subscription' && p.message.userId === m.userId,
  );
  assert.equal(replace?.message.reason, 'id_format');
  await create.handle(replace!.message as never);
  const [atGraph, ...others] = await atEmulator(m);
  assert.equal(others.length, 0);
  assert.notEqual(atGraph.id, id, 'a new subscription');
  assert.equal(atGraph.idType, 'immutable');
  const [row] = (await db.query(
    `SELECT immutable_ids FROM graph_subscriptions WHERE graph_subscription_id = $1 AND status = 'active'`,
    [atGraph.id],
  )) as { immutable_ids: boolean }[];
  assert.equal(row.immutable_ids, true);
  // Replaced once: the next tick asks for nothing more.
  published.length = 0;
  await renewal.handle({ tick: new Date().toISOString(), renewWithinMinutes: 1_440 });
  assert.equal(
    published.filter((p) => p.topic === 'create_email_subscription' && p.message.userId === m.userId).length,
    0,
  );
});

test('stale active rows never starve renewal: 1,000 of disconnected mailboxes are retired and the live one is renewed', async () => {
  const { m: live, id } = await subscribed();
  const { m: lapsed, id: lapsedId } = await subscribed();
  // A reauth_required mailbox, and 1,000 users without a mailbox, each with an 'active' row that expired
  // long ago (review H5's probe): before, they sorted first and filled every tick's batch.
  const stale = await connectMailbox(db, microsoftSettingsFrom(config.env), emulator.control);
  await db.query(`UPDATE outlook_accounts SET status = 'reauth_required' WHERE user_id = $1`, [stale.userId]);
  const staleRow = `INSERT INTO graph_subscriptions
      (user_id, graph_subscription_id, resource, change_types, client_state, expires_at, status)`;
  await db.query(
    `${staleRow} VALUES ($1, gen_random_uuid()::text, 'me/messages', 'created,updated,deleted', 'x',
       now() - interval '1 day', 'active')`,
    [stale.userId],
  );
  const gone = (await db.query(
    `INSERT INTO users (email, user_name, password_hash)
     SELECT 'stale-' || gen_random_uuid() || '@example.test', 'stale', 'x' FROM generate_series(1, 1000)
     RETURNING id`,
  )) as { id: string }[];
  await db.query(
    `${staleRow} SELECT u, gen_random_uuid()::text, 'me/messages', 'created,updated,deleted', 'x',
       now() - interval '1 day', 'active' FROM unnest($1::uuid[]) AS u`,
    [gone.map((g) => g.id)],
  );
  await db.query(
    `UPDATE graph_subscriptions SET expires_at = now() + interval '1 hour' WHERE graph_subscription_id = $1`,
    [id],
  );
  // A connected mailbox whose subscription expired at Graph: retired, then a new one and a catch-up sync.
  await db.query(
    `UPDATE graph_subscriptions SET expires_at = now() - interval '1 minute' WHERE graph_subscription_id = $1`,
    [lapsedId],
  );
  published.length = 0;
  await renewal.handle({ tick: new Date().toISOString(), renewWithinMinutes: 1_440 });

  const renewed = await repo.findActiveByUser(live.userId);
  assert.ok(renewed!.expiresAt.getTime() > Date.now() + 9_990 * 60_000, 'the live subscription is renewed');
  assert.equal(
    await repo.findActiveByUser(stale.userId),
    null,
    'a mailbox that is not connected keeps no live row',
  );
  assert.equal((await repo.findByGraphId(lapsedId))?.status, 'removed');
  const forLapsed = published.filter((p) => p.message.userId === lapsed.userId);
  assert.ok(
    forLapsed.some(
      (p) => p.topic === 'create_email_subscription' && p.message.reason === 'subscription_removed',
    ),
  );
  assert.ok(forLapsed.some((p) => p.topic === 'sync_email' && p.message.mode === 'incremental'));
  assert.ok(
    !published.some((p) => p.message.userId === stale.userId),
    'nothing is asked for the stale mailbox',
  );
  const [{ n }] = (await db.query(
    `SELECT count(*)::int AS n FROM graph_subscriptions WHERE status = 'active' AND user_id = ANY($1::uuid[])`,
    [gone.map((g) => g.id)],
  )) as { n: number }[];
  assert.equal(n, 0, 'the rows of users without a mailbox are retired');
  await db.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [gone.map((g) => g.id)]);
});

test('the scheduler fires each renewal slot once, however many replicas run it', async () => {
  const fast = {
    ...config,
    env: { ...config.env, SUBSCRIPTION_CRON_INTERVAL_SECONDS: 1, POLLING_INTERVAL_SECONDS: 3600 },
  };
  const redis = app.get<Cluster>(REDIS_CLUSTER);
  const ticks: string[] = [];
  const replicas = [1, 2, 3].map(() => {
    const publisher = new RecordingPublisher(app.get<Kafka>(KAFKA));
    const s = new SubscriptionScheduler(fast, redis, publisher, repo, pino({ level: 'silent' }));
    return { s, sent: publisher.published };
  });
  for (const r of replicas) r.s.start();
  await sleep(4_200);
  for (const r of replicas) r.s.stop();
  for (const r of replicas) {
    for (const p of r.sent)
      if (p.topic === 'create_email_subscription_cron') ticks.push(String(p.message.tick));
  }
  assert.ok(ticks.length >= 3, `ticks: ${ticks.length}`);
  assert.equal(new Set(ticks).size, ticks.length, `no slot fired twice: ${ticks.join(', ')}`);
});

test('lifecycle reauthorizationRequired → reauthorize: delivery resumes at the emulator', async () => {
  const { m, id } = await subscribed();
  await emulator.control('POST', `/mailboxes/${m.address}/lifecycle`, { event: 'reauthorizationRequired' });
  assert.equal((await atEmulator(m))[0].needsReauthorization, true);
  await lifecycle.handle(lifecycleEvent(m, id, 'reauthorizationRequired'));
  const [sub] = await atEmulator(m);
  assert.equal(sub.id, id, 'the same subscription');
  assert.equal(sub.needsReauthorization, false);
});

test('lifecycle subscriptionRemoved → a new subscription, then an incremental sync', async () => {
  const { m, id } = await subscribed();
  await emulator.control('POST', `/mailboxes/${m.address}/lifecycle`, { event: 'subscriptionRemoved' });
  assert.equal((await atEmulator(m)).length, 0);
  published.length = 0;
  await lifecycle.handle(lifecycleEvent(m, id, 'subscriptionRemoved'));
  const atGraph = await atEmulator(m);
  assert.equal(atGraph.length, 1);
  assert.notEqual(atGraph[0].id, id);
  assert.equal((await repo.findActiveByUser(m.userId))?.graphSubscriptionId, atGraph[0].id);
  assert.equal((await repo.findByGraphId(id))?.status, 'removed');
  const sync = published.filter((p) => p.topic === 'sync_email' && p.message.userId === m.userId);
  assert.equal(sync.length, 1);
  assert.equal(sync[0].message.mode, 'incremental');
  assert.equal(sync[0].message.reason, 'subscription_removed');
});

test('a lifecycle event for someone else’s subscription id changes nothing', async () => {
  const a = await subscribed();
  const b = await subscribed();
  published.length = 0;
  await lifecycle.handle(lifecycleEvent(a.m, b.id, 'subscriptionRemoved'));
  assert.equal(published.length, 0);
  assert.equal((await atEmulator(b.m))[0].id, b.id);
  assert.equal((await atEmulator(a.m))[0].id, a.id);
});

test('disconnect clean-up deletes the subscription at the emulator', async () => {
  const { m, id } = await subscribed();
  await deleteMailboxSubscription(
    app.get(GraphClients).forMailbox(m.userId),
    repo,
    m.userId,
    pino({ level: 'silent' }),
  );
  assert.equal((await atEmulator(m)).length, 0);
  assert.equal((await repo.findByGraphId(id))?.status, 'removed');
});
