// GET /api/events against the real stack: each user's Kafka events reach that user's streams only.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS, type EmailAckMessage } from '@core-email/contracts';
import { JwtService } from '@nestjs/jwt';
import { KafkaPublisher, PUBLISHER } from '@core-email/platform';
import { eventually, openEventStream, type EventStream } from '@core-email/platform/testing';
import { EventsConsumer } from '../src/events/events-consumer.service';
import { EventStreams, MAX_STREAMS_PER_USER } from '../src/events/event-streams';
import { RunningProducer, startProducer } from './support/app';
import { apiClient, ApiClient, newUser, TestUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
let publisher: KafkaPublisher;

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
  publisher = producer.app.get<KafkaPublisher>(PUBLISHER);
  await producer.app.get(EventsConsumer).ready;
});

after(async () => {
  await producer?.app.close();
});

function openStream(user: TestUser): Promise<EventStream> {
  return openEventStream(producer.url, user.token);
}

function ack(userId: string, status: EmailAckMessage['status'] = 'running'): EmailAckMessage {
  return {
    userId,
    runId: randomUUID(),
    status,
    done: 3,
    total: 10,
    folders: [{ folderId: 'inbox-id', name: 'Inbox', done: 3, total: 10 }],
    at: new Date().toISOString(),
  };
}

test('an email_ack for A reaches A and never B; a notify for B reaches B only', async () => {
  const [a, b] = await Promise.all([newUser(api), newUser(api)]);
  const [streamA, streamB] = await Promise.all([openStream(a), openStream(b)]);
  try {
    assert.equal(streamA.status, 200);
    assert.match(streamA.contentType ?? '', /^text\/event-stream/);
    await eventually(async () => producer.app.get(EventStreams).countOf(b.id) === 1);

    const forA = ack(a.id);
    await publisher.publish(TOPICS.emailAck, forA);
    await publisher.publish(TOPICS.notifyUserMutateEmail, {
      userId: b.id,
      created: ['m-1'],
      updated: [],
      deleted: [],
      at: new Date().toISOString(),
    });

    await eventually(async () => streamA.events.length === 1 && streamB.events.length === 1, 20_000);
    const { userId: _omitted, ...expected } = forA;
    assert.deepEqual(streamA.events, [{ event: 'sync', data: expected }]);
    assert.equal(streamB.events[0].event, 'mail');
    assert.deepEqual(streamB.events[0].data.created, ['m-1']);
    assert.equal('userId' in streamB.events[0].data, false);

    // Whatever else is in flight, B never gets A's event.
    await sleep(1_000);
    assert.equal(
      streamB.events.some((e) => e.data.runId === forA.runId),
      false,
    );
  } finally {
    streamA.close();
    streamB.close();
  }
});

test('a malformed event is dropped, the next valid one still arrives', async () => {
  const a = await newUser(api);
  const stream = await openStream(a);
  try {
    await eventually(async () => producer.app.get(EventStreams).countOf(a.id) === 1);
    // Same key as the valid event: same partition, so it is read first.
    const bad = { ...ack(a.id), status: 'exploded', secret: 'x' };
    await publisher.publishRaw(TOPICS.emailAck, a.id, Buffer.from(JSON.stringify(bad)));
    await publisher.publishRaw(TOPICS.emailAck, a.id, Buffer.from('not json'));
    const good = ack(a.id, 'finished');
    await publisher.publish(TOPICS.emailAck, good);

    await eventually(async () => stream.events.length >= 1, 20_000);
    await sleep(500);
    assert.equal(stream.events.length, 1);
    assert.equal(stream.events[0].data.runId, good.runId);
    assert.equal(stream.events[0].data.status, 'finished');
  } finally {
    stream.close();
  }
});

test('a closed stream is removed; streams per user are capped; no token, no stream', async () => {
  const a = await newUser(api);
  const streams = producer.app.get(EventStreams);
  const open = await Promise.all(Array.from({ length: MAX_STREAMS_PER_USER }, () => openStream(a)));
  try {
    assert.ok(open.every((s) => s.status === 200));
    assert.equal(streams.countOf(a.id), MAX_STREAMS_PER_USER);
    const extra = await openStream(a);
    assert.equal(extra.status, 429);

    open[0].close();
    await eventually(async () => streams.countOf(a.id) === MAX_STREAMS_PER_USER - 1, 10_000);
    for (const s of open) s.close();
    await eventually(async () => streams.countOf(a.id) === 0, 10_000);
  } finally {
    for (const s of open) s.close();
  }

  const anonymous = await fetch(`${producer.url}/api/events`);
  assert.equal(anonymous.status, 401);
});

test('a stream ends when its session is logged out; other sessions of the user keep theirs', async () => {
  const a = await newUser(api);
  const other = await api.call('POST', '/api/auth/log-in', { email: a.email, password: a.password });
  assert.equal(other.status, 200);
  const kept = await openStream({ ...a, token: other.body.accessToken });
  const revoked = await openStream(a);
  try {
    assert.equal(revoked.status, 200);
    assert.equal((await api.call('POST', '/api/auth/log-out', undefined, a.token)).status, 204);
    await eventually(async () => revoked.ended, 15_000, 'the logged-out stream to end');
    assert.equal(producer.app.get(EventStreams).countOf(a.id), 1);
    assert.equal(kept.ended, false);
    await publisher.publish(TOPICS.emailAck, ack(a.id));
    await eventually(async () => kept.events.length === 1, 20_000);
    assert.equal(revoked.events.length, 0);
  } finally {
    kept.close();
    revoked.close();
  }
});

test('a stream ends when its token expires, although the session lives on', async () => {
  const a = await newUser(api);
  const claims = JSON.parse(Buffer.from(a.token.split('.')[1], 'base64url').toString()) as { sid: string };
  const shortLived = await producer.app
    .get(JwtService)
    .signAsync({ sub: a.id, sid: claims.sid }, { expiresIn: 2 });
  const stream = await openStream({ ...a, token: shortLived });
  try {
    assert.equal(stream.status, 200);
    await eventually(async () => stream.ended, 15_000, 'the expired stream to end');
    assert.equal((await api.call('GET', '/api/me', undefined, a.token)).status, 200);
  } finally {
    stream.close();
  }
});

test('OpenAPI documents GET /api/events as text/event-stream', async () => {
  const doc = await api.call('GET', '/api/docs-json');
  const op = doc.body.paths['/api/events'].get;
  assert.ok(op.responses['200'].content['text/event-stream']);
  assert.ok(op.responses['401']);
  assert.ok(op.responses['429']);
});
