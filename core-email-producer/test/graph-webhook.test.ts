// Graph's webhook against the real stack: the handshake, genuine notifications queued for their owner, and
// forged or malformed input dropped, counted and never published.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { TOPICS } from '@core-email/contracts';
import { GraphSubscriptionsRepository, PUBLISHER } from '@core-email/platform';
import { eventually, stackEnv } from '@core-email/platform/testing';
import { RunningProducer, startProducer } from './support/app';
import { apiClient, newUser } from './support/users';

let producer: RunningProducer;
let consumer: Consumer;
const received: Array<{ key: string; value: Record<string, unknown> }> = [];

before(async () => {
  producer = await startProducer();
  // A throwaway group from the latest offsets: only what this file's requests publish (and others', ignored).
  const kafka = new Kafka({
    brokers: stackEnv(process.env).KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  consumer = kafka.consumer({ groupId: `graph-webhook-test-${Date.now()}`, maxWaitTimeInMs: 200 });
  const ready = new Promise<void>((r) => consumer.on(consumer.events.FETCH, () => r()));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.updateEmailSubscription, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: String(message.key), value: JSON.parse(String(message.value)) });
    },
  });
  await ready;
});

after(async () => {
  await consumer?.disconnect();
  await producer?.app.close();
});

interface Subscription {
  userId: string;
  graphId: string;
  clientState: string;
}

/** A user with a live subscription row, as the consumer's create step stores it. */
async function subscribedUser(): Promise<Subscription> {
  const user = await newUser(apiClient(producer.url));
  const sub = { userId: user.id, graphId: randomUUID(), clientState: randomBytes(32).toString('base64url') };
  await producer.app.get(DataSource).query(
    `INSERT INTO graph_subscriptions (user_id, graph_subscription_id, resource, change_types, client_state, expires_at, status)
     VALUES ($1, $2, 'me/messages', 'created,updated,deleted', $3, now() + interval '1 day', 'active')`,
    [sub.userId, sub.graphId, sub.clientState],
  );
  return sub;
}

function change(sub: { graphId: string; clientState: string }, messageId = `AAMk${randomUUID()}`) {
  const resource = `Users/${randomUUID()}/Messages/${messageId}`;
  return {
    subscriptionId: sub.graphId,
    subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    changeType: 'created',
    resource,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Message',
      '@odata.id': resource,
      '@odata.etag': 'W/"CQAAABYAAAA"',
      id: messageId,
    },
    clientState: sub.clientState,
    tenantId: randomUUID(),
  };
}

async function post(path: string, body: string | undefined, contentType = 'application/json') {
  const res = await fetch(`${producer.url}/api/webhooks/graph/${path}`, {
    method: 'POST',
    headers:
      body === undefined ? { 'content-type': 'text/plain; charset=utf-8' } : { 'content-type': contentType },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function dropped(reason: string): Promise<number> {
  const metric = await register.getSingleMetric('core_email_webhook_notifications_dropped_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

/** Polls what the test consumer received (every 50 ms, for up to 10 s). */
function waitFor<T>(probe: () => T | undefined, what: string): Promise<NonNullable<T>> {
  return eventually(probe, 10_000, what, 50);
}

/** After a canary for another user is seen, anything published before it for `userId` would have been seen too. */
async function assertNothingPublishedFor(userId: string): Promise<void> {
  const canary = await subscribedUser();
  assert.equal((await post('notifications', JSON.stringify({ value: [change(canary)] }))).status, 202);
  await waitFor(() => received.find((m) => m.key === canary.userId), 'the canary');
  // Kafka orders per partition only; a short extra wait covers other partitions.
  await sleep(500);
  assert.deepEqual(
    received.filter((m) => m.value.userId === userId),
    [],
  );
}

for (const path of ['notifications', 'lifecycle']) {
  test(`handshake on ${path}: 200 text/plain with the decoded token`, async () => {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    for (const encoded of [encodeURIComponent(token), encodeURIComponent(token).replace(/%20/g, '+')]) {
      const res = await fetch(`${producer.url}/api/webhooks/graph/${path}?validationToken=${encoded}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await res.text(), token);
    }
  });
}

test('a genuine change: 202, and update_email_subscription keyed by its owner', async () => {
  const sub = await subscribedUser();
  const item = change(sub);
  const res = await post('notifications', JSON.stringify({ value: [item] }));
  assert.equal(res.status, 202);
  assert.equal(res.text, '');
  const msg = await waitFor(() => received.find((m) => m.key === sub.userId), 'the change');
  assert.equal(msg.value.userId, sub.userId);
  assert.equal(msg.value.subscriptionId, sub.graphId);
  assert.equal(msg.value.kind, 'change');
  assert.equal(msg.value.changeType, 'created');
  assert.equal(msg.value.messageId, item.resourceData.id);
  assert.equal(msg.value.resource, item.resource);
});

test('a genuine lifecycle event: 202, and a lifecycle message for its owner', async () => {
  const sub = await subscribedUser();
  const item = {
    subscriptionId: sub.graphId,
    subscriptionExpirationDateTime: new Date().toISOString(),
    tenantId: randomUUID(),
    clientState: sub.clientState,
    lifecycleEvent: 'missed',
  };
  assert.equal((await post('lifecycle', JSON.stringify({ value: [item] }))).status, 202);
  const msg = await waitFor(() => received.find((m) => m.key === sub.userId), 'the lifecycle event');
  assert.equal(msg.value.kind, 'lifecycle');
  assert.equal(msg.value.lifecycleEvent, 'missed');
});

test("Exchange's observed lifecycle shape (organizationId, sequence, resourceData of a subscription) is applied", async () => {
  const sub = await subscribedUser();
  // As live tenants send it (fidelity review F1): no tenantId, extra fields the docs do not show.
  const item = {
    subscriptionId: sub.graphId,
    subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    organizationId: randomUUID(),
    clientState: sub.clientState,
    lifecycleEvent: 'reauthorizationRequired',
    sequence: null,
    encryptedContent: null,
    resourceChangeType: null,
    resource: `Subscriptions/${sub.graphId}`,
    resourceData: {
      '@odata.type': '#microsoft.graph.subscription',
      '@odata.id': `subscriptions/${sub.graphId}`,
      id: sub.graphId,
    },
  };
  assert.equal((await post('lifecycle', JSON.stringify({ value: [item] }))).status, 202);
  const msg = await waitFor(() => received.find((m) => m.key === sub.userId), 'the lifecycle event');
  assert.equal(msg.value.kind, 'lifecycle');
  assert.equal(msg.value.lifecycleEvent, 'reauthorizationRequired');
});

test('a change item with the optional fields of changeNotification (id, encryptedContent, lifecycleEvent: null) is applied', async () => {
  const sub = await subscribedUser();
  const { tenantId: _tenantId, ...withoutTenant } = change(sub);
  const item = {
    ...withoutTenant,
    id: 'lsgTZMr9KwAAA',
    encryptedContent: null,
    lifecycleEvent: null,
    organizationId: randomUUID(),
  };
  assert.equal((await post('notifications', JSON.stringify({ value: [item] }))).status, 202);
  const msg = await waitFor(() => received.find((m) => m.key === sub.userId), 'the change');
  assert.equal(msg.value.kind, 'change');
  assert.equal(msg.value.messageId, item.resourceData.id);
});

test('forged items are dropped and counted; the answer is the same 202 and nothing is published', async () => {
  const victim = await subscribedUser();
  const attacker = await subscribedUser();
  const before = {
    state: await dropped('bad_client_state'),
    unknown: await dropped('unknown_subscription'),
  };
  // Wrong clientState (same length and another length), an unknown subscription, and the attacker's own
  // state on the victim's subscription id.
  const forged = [
    change({ graphId: victim.graphId, clientState: randomBytes(32).toString('base64url') }),
    change({ graphId: victim.graphId, clientState: 'x' }),
    change({ graphId: randomUUID(), clientState: victim.clientState }),
    change({ graphId: victim.graphId, clientState: attacker.clientState }),
  ];
  for (const item of forged) {
    const res = await post('notifications', JSON.stringify({ value: [item] }));
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
  }
  assert.equal((await dropped('bad_client_state')) - before.state, 3);
  assert.equal((await dropped('unknown_subscription')) - before.unknown, 1);
  await assertNothingPublishedFor(victim.userId);
  assert.deepEqual(
    received.filter((m) => m.value.userId === attacker.userId),
    [],
  );
});

test('1,000 forged subscription ids in one request cost one database query; a repeated unknown id costs none', async () => {
  const repo = producer.app.get(GraphSubscriptionsRepository);
  const lookup = repo.findActiveByGraphIds.bind(repo);
  let queries = 0;
  repo.findActiveByGraphIds = (ids: string[]) => {
    queries += 1;
    return lookup(ids);
  };
  try {
    const forged = Array.from({ length: 1_000 }, () =>
      change({ graphId: randomUUID(), clientState: randomBytes(32).toString('base64url') }),
    );
    const before = await dropped('unknown_subscription');
    assert.equal((await post('notifications', JSON.stringify({ value: forged }))).status, 202);
    assert.equal(queries, 1);
    assert.equal((await dropped('unknown_subscription')) - before, 1_000);
    // Graph retrying the same unknown ids moments later does not reach the database.
    assert.equal((await post('notifications', JSON.stringify({ value: forged.slice(0, 10) }))).status, 202);
    assert.equal(queries, 1);
  } finally {
    repo.findActiveByGraphIds = lookup;
  }
});

test('a subscription that is no longer live (removed) is not accepted', async () => {
  const sub = await subscribedUser();
  await producer.app
    .get(DataSource)
    .query(`UPDATE graph_subscriptions SET status = 'removed' WHERE graph_subscription_id = $1`, [
      sub.graphId,
    ]);
  const before = await dropped('unknown_subscription');
  assert.equal((await post('notifications', JSON.stringify({ value: [change(sub)] }))).status, 202);
  assert.equal((await dropped('unknown_subscription')) - before, 1);
  await assertNothingPublishedFor(sub.userId);
});

test('one forged item beside a genuine one: only the genuine one is published', async () => {
  const sub = await subscribedUser();
  const good = change(sub);
  const bad = change({ graphId: sub.graphId, clientState: randomBytes(32).toString('base64url') });
  assert.equal((await post('notifications', JSON.stringify({ value: [bad, good] }))).status, 202);
  await waitFor(() => received.find((m) => m.key === sub.userId), 'the genuine item');
  await sleep(500);
  const mine = received.filter((m) => m.value.userId === sub.userId);
  assert.deepEqual(
    mine.map((m) => m.value.messageId),
    [good.resourceData.id],
  );
});

test('malformed input: a bare 400 (or 413), counted, nothing published', async () => {
  const sub = await subscribedUser();
  const malformed = await dropped('malformed');
  for (const body of [
    '{"value": [',
    'not json',
    JSON.stringify({ value: 'not a list' }),
    JSON.stringify({ value: [] }),
    JSON.stringify([change(sub)]),
  ]) {
    const res = await post('notifications', body);
    assert.equal(res.status, 400, body);
    assert.equal(res.text, '');
  }
  // A well-formed envelope with malformed items (a NUL in the subscription id, an unknown change type, no
  // message id): each dropped, 202.
  const odd = [
    { ...change(sub), subscriptionId: `${sub.graphId}\u0000` },
    { ...change(sub), changeType: 'exploded' },
    { ...change(sub), resourceData: { '@odata.type': '#Microsoft.Graph.Message' } },
  ];
  assert.equal((await post('notifications', JSON.stringify({ value: odd }))).status, 202);
  assert.equal((await dropped('malformed')) - malformed, 8);

  const tooLarge = await dropped('too_large');
  const huge = JSON.stringify({ value: [change(sub)], pad: 'x'.repeat(10 * 1024 * 1024) });
  const status = await fetch(`${producer.url}/api/webhooks/graph/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: huge,
  }).then(
    (r) => r.status,
    // The server answers 413 and closes without reading the rest; the client may see the closed socket first.
    () => 413,
  );
  assert.equal(status, 413);
  assert.equal((await dropped('too_large')) - tooLarge, 1);

  await assertNothingPublishedFor(sub.userId);
});

test('a validation token on a request that carries notifications is refused and nothing is published', async () => {
  const sub = await subscribedUser();
  const before = await dropped('token_with_body');
  for (const path of ['notifications', 'lifecycle']) {
    const res = await fetch(`${producer.url}/api/webhooks/graph/${path}?validationToken=abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [change(sub)] }),
    });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), '');
  }
  assert.equal((await dropped('token_with_body')) - before, 2);
  await assertNothingPublishedFor(sub.userId);
});

test('Kafka cannot take the items: 503, so Graph retries', async () => {
  const sub = await subscribedUser();
  const publisher = producer.app.get(PUBLISHER) as { publishMany: (...a: unknown[]) => Promise<void> };
  const real = publisher.publishMany;
  publisher.publishMany = () => Promise.reject(new Error('broker unavailable'));
  try {
    const res = await post('notifications', JSON.stringify({ value: [change(sub)] }));
    assert.equal(res.status, 503);
    assert.equal(res.text, '');
  } finally {
    publisher.publishMany = real;
  }
  // Graph's retry then succeeds.
  assert.equal((await post('notifications', JSON.stringify({ value: [change(sub)] }))).status, 202);
});

test("Kafka does not acknowledge in time: 503 before Graph's 3 s deadline", async () => {
  const sub = await subscribedUser();
  const publisher = producer.app.get(PUBLISHER) as { publishMany: (...a: unknown[]) => Promise<void> };
  const real = publisher.publishMany;
  publisher.publishMany = () => new Promise<void>(() => undefined);
  try {
    const started = Date.now();
    const res = await post('notifications', JSON.stringify({ value: [change(sub)] }));
    assert.equal(res.status, 503);
    assert.ok(Date.now() - started < 3_000, "answered within Graph's timeout");
  } finally {
    publisher.publishMany = real;
  }
});

test('an oversized body without a Content-Length is cut off at 1 MB: 413', async () => {
  const tooLarge = await dropped('too_large');
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // 2 MB in 64 KB chunks, streamed (chunked transfer encoding).
      if (sent >= 32) return controller.close();
      sent += 1;
      controller.enqueue(chunk);
    },
  });
  const status = await fetch(`${producer.url}/api/webhooks/graph/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit).then(
    (r) => r.status,
    () => 413,
  );
  assert.equal(status, 413);
  assert.equal((await dropped('too_large')) - tooLarge, 1);
});

test('OpenAPI documents both webhook URLs', async () => {
  const res = await fetch(`${producer.url}/api/docs-json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { paths: Record<string, unknown> };
  assert.ok(doc.paths['/api/webhooks/graph/notifications']);
  assert.ok(doc.paths['/api/webhooks/graph/lifecycle']);
});
