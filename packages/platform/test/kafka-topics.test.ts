import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, PartitionMetadata } from 'kafkajs';
import { ALL_TOPICS, dlqTopicOf, keyOf, MessageOf, TOPICS, TopicName } from '@core-email/contracts';
import { ensureTopics } from '../src/kafka/topic-admin';
import { KafkaPublisher } from '../src/kafka/publisher';
import { HandlerContext, HandlerMap, TopicConsumer } from '../src/kafka/topic-consumer';
import { eventually } from '../src/testing/stack-env';
import { listen, silentLogger, testKafka } from '../src/testing/kafka';

const now = () => new Date().toISOString();

/** A valid message for each topic, for a given user. */
function sample(topic: TopicName, userId: string): MessageOf<TopicName> {
  switch (topic) {
    case TOPICS.syncEmail:
      return { userId, runId: randomUUID(), mode: 'incremental', reason: 'resync', requestedAt: now() };
    case TOPICS.emailAck:
      return { userId, runId: randomUUID(), status: 'running', done: 1, total: 2, folders: [], at: now() };
    case TOPICS.notifyUserMutateEmail:
      return { userId, created: ['AAMk1'], updated: [], deleted: [], at: now() };
    case TOPICS.createEmailSubscription:
      return { userId, reason: 'initial_sync', requestedAt: now() };
    case TOPICS.updateEmailSubscription:
      return { userId, subscriptionId: 'sub-1', kind: 'change', changeType: 'created', receivedAt: now() };
    case TOPICS.createEmailSubscriptionCron:
      return { tick: now(), renewWithinMinutes: 1440 };
    case TOPICS.auditMailbox:
      return { userId, reason: 'requested', requestedAt: now() };
  }
}

const identity = (topic: TopicName, m: MessageOf<TopicName>) =>
  'runId' in m ? m.runId : keyOf(topic, m) + JSON.stringify(m);

function expectedPartition(topic: string, key: string, partitions: number): number {
  const partitionMetadata = Array.from(
    { length: partitions },
    (_, i) => ({ partitionId: i, leader: 1 }) as PartitionMetadata,
  );
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

let kafka: Kafka;
let publisher: KafkaPublisher;

before(async () => {
  kafka = testKafka();
  await ensureTopics(kafka, { partitions: 3, replicationFactor: 1 });
  publisher = new KafkaPublisher(kafka);
  await publisher.connect();
});

after(async () => {
  await publisher.disconnect();
});

test('topics are created idempotently with 3 partitions and a .dlq each', async () => {
  assert.deepEqual(await ensureTopics(kafka, { partitions: 3, replicationFactor: 1 }), []);
  const admin = kafka.admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: ALL_TOPICS.flatMap((t) => [t, dlqTopicOf(t)]) });
  await admin.disconnect();
  for (const t of meta.topics) assert.equal(t.partitions.length, 3, t.name);
});

for (const topic of ALL_TOPICS) {
  describe(`topic ${topic}`, () => {
    const groupId = `test-${topic}-${randomUUID()}`;
    const seen: Array<{ id: string; partition: number; key: string }> = [];
    const attemptsById = new Map<string, number>();
    const applied = new Map<string, number>();
    let failTwice = '';
    let consumer: TopicConsumer;
    let dlq: Awaited<ReturnType<typeof listen>>;

    before(async () => {
      const handlers = {
        [topic]: async (message: MessageOf<TopicName>, ctx: HandlerContext) => {
          const id = identity(topic, message);
          attemptsById.set(id, ctx.attempt);
          if (id === failTwice && ctx.attempt <= 2) throw new Error('transient failure');
          applied.set(id, (applied.get(id) ?? 0) + 1);
          seen.push({ id, partition: ctx.partition, key: keyOf(topic, message) });
        },
      } as HandlerMap;
      consumer = new TopicConsumer(
        kafka,
        publisher,
        handlers,
        {
          groupId,
          retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
          fromBeginning: false,
          maxWaitTimeInMs: 200,
        },
        silentLogger,
      );
      dlq = await listen(kafka, dlqTopicOf(topic));
      await consumer.start();
      await consumer.ready;
    });

    after(async () => {
      await consumer.stop();
      await dlq.stop();
    });

    test('a keyed message is consumed from the partition its key maps to', async () => {
      const messages = [randomUUID(), randomUUID(), randomUUID()].map((u) => sample(topic, u));
      for (const m of messages) await publisher.publish(topic as TopicName, m);
      for (const m of messages) {
        const id = identity(topic, m);
        const got = await eventually(
          async () => seen.find((s) => s.id === id),
          20_000,
          `message on ${topic}`,
        );
        assert.equal(got.partition, expectedPartition(topic, keyOf(topic, m), 3));
      }
    });

    test('a malformed message lands on the .dlq with an error and the next good message is still processed', async () => {
      const key = randomUUID();
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, messages: [{ key, value: '{"userId": 42, "surprise": true}' }] });
      await producer.disconnect();
      const good = sample(topic, randomUUID());
      await publisher.publish(topic, good);

      const letter = await eventually(
        async () => dlq.received.find((r) => r.key === key),
        20_000,
        'dead letter',
      );
      const body = JSON.parse(letter.value);
      assert.equal(body.topic, topic);
      assert.match(body.error, new RegExp(`invalid ${topic} message`));
      assert.equal(body.value, '{"userId": 42, "surprise": true}');
      await eventually(async () => applied.get(identity(topic, good)) === 1, 20_000, 'next good message');
    });

    test('a handler that fails twice then succeeds is processed exactly once in effect', async () => {
      const m = sample(topic, randomUUID());
      failTwice = identity(topic, m);
      await publisher.publish(topic, m);
      await eventually(async () => applied.get(failTwice) === 1, 20_000, 'retried message');
      assert.equal(attemptsById.get(failTwice), 3);
      await sleep(300);
      assert.equal(applied.get(failTwice), 1);
      assert.equal(
        dlq.received.filter(
          (r) => r.key === keyOf(topic, m) && JSON.parse(r.value).value === JSON.stringify(m),
        ).length,
        0,
      );
    });
  });
}

test('a handler that keeps failing sends the message to the .dlq after the bounded retries, with the error', async () => {
  const topic = TOPICS.syncEmail;
  const dlq = await listen(kafka, dlqTopicOf(topic));
  const userId = randomUUID();
  let attempts = 0;
  const consumer = new TopicConsumer(
    kafka,
    publisher,
    {
      [topic]: async (m: MessageOf<typeof topic>) => {
        if (m.userId === userId) {
          attempts++;
          throw new Error('graph is down');
        }
      },
    },
    {
      groupId: `test-poison-${randomUUID()}`,
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
      fromBeginning: false,
      maxWaitTimeInMs: 200,
    },
    silentLogger,
  );
  await consumer.start();
  await consumer.ready;
  try {
    await publisher.publish(topic, sample(topic, userId) as MessageOf<typeof topic>);
    const letter = await eventually(
      async () => dlq.received.find((r) => r.key === userId),
      20_000,
      'dead letter',
    );
    const body = JSON.parse(letter.value);
    assert.equal(body.error, 'graph is down');
    assert.equal(body.attempts, 3);
    assert.equal(attempts, 3);
  } finally {
    await consumer.stop();
    await dlq.stop();
  }
});

test("a user's slow job does not hold up other users on its partition, even ones published after it; each user's messages stay in order", async () => {
  const topic = TOPICS.syncEmail;
  const slowUser = randomUUID();
  let otherUser = randomUUID();
  const partition = expectedPartition(topic, slowUser, 3);
  while (expectedPartition(topic, otherUser, 3) !== partition) otherUser = randomUUID();
  const groupId = `test-lanes-${randomUUID()}`;
  const handled: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let blocked = false;
  const consumer = new TopicConsumer(
    kafka,
    publisher,
    {
      [topic]: async (m: MessageOf<typeof topic>) => {
        if (m.userId !== slowUser && m.userId !== otherUser) return;
        if (m.reason === 'connected') {
          blocked = true;
          await gate; // the slow user's first job
        }
        handled.push(`${m.userId === slowUser ? 'slow' : 'other'}:${m.reason}`);
      },
    },
    {
      groupId,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      fromBeginning: false,
      maxWaitTimeInMs: 200,
      keyConcurrency: 2,
    },
    silentLogger,
  );
  await consumer.start();
  await consumer.ready;
  const job = (userId: string, reason: 'connected' | 'resync' | 'polling') => ({
    ...(sample(topic, userId) as MessageOf<typeof topic>),
    reason,
  });
  const admin = kafka.admin();
  await admin.connect();
  const committed = async () =>
    Number(
      (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.find(
        (p) => p.partition === partition,
      )!.offset,
    );
  try {
    const [start] = (await admin.fetchTopicOffsets(topic)).filter((p) => p.partition === partition);
    await publisher.publish(topic, job(slowUser, 'connected'));
    await eventually(async () => blocked || undefined, 20_000, "the slow user's first job");
    // Published while the slow job runs: they arrive in later fetches, which must not wait for it.
    await publisher.publishMany(topic, [job(otherUser, 'resync'), job(slowUser, 'resync')]);
    await publisher.publish(topic, job(otherUser, 'polling'));
    await eventually(async () => handled.length === 2 || undefined, 20_000, "the other user's jobs");
    assert.deepEqual(handled, ['other:resync', 'other:polling']);
    // Nothing past the unfinished job is committed: a crash now would repeat it.
    assert.ok((await committed()) <= Number(start.offset));
    release();
    await eventually(async () => handled.length === 4 || undefined, 20_000, "the slow user's jobs");
    assert.deepEqual(handled.slice(2), ['slow:connected', 'slow:resync']);
    await eventually(
      async () => (await committed()) === Number(start.offset) + 4 || undefined,
      20_000,
      'the commit',
    );
  } finally {
    release();
    await admin.disconnect();
    await consumer.stop();
  }
});

test("a batching topic hands its handler a user's queued messages together; a malformed one goes to the .dlq alone", async () => {
  const topic = TOPICS.updateEmailSubscription;
  const userId = randomUUID();
  const dlq = await listen(kafka, dlqTopicOf(topic));
  const calls: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const message = (subscriptionId: string) =>
    ({ ...sample(topic, userId), subscriptionId }) as MessageOf<typeof topic>;
  const consumer = new TopicConsumer(
    kafka,
    publisher,
    {},
    {
      groupId: `test-batch-${randomUUID()}`,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      fromBeginning: false,
      maxWaitTimeInMs: 200,
      keyConcurrency: 4,
      batchHandlers: {
        [topic]: {
          maxBatch: 10,
          handle: async (messages) => {
            const mine = messages.filter((m) => m.userId === userId);
            if (mine.length === 0) return;
            calls.push(mine.map((m) => m.subscriptionId));
            if (mine[0].subscriptionId === 'first') await gate; // the rest queue up behind it
          },
        },
      },
    },
    silentLogger,
  );
  await consumer.start();
  await consumer.ready;
  try {
    await publisher.publish(topic, message('first'));
    await eventually(async () => calls.length === 1, 20_000, 'the first message');
    const raw = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await raw.connect();
    await raw.send({ topic, messages: [{ key: userId, value: '{"userId": 1}' }] });
    await raw.disconnect();
    await publisher.publish(topic, message('second'));
    await publisher.publish(topic, message('third'));
    await sleep(1_000); // fetched and queued in the lane
    release();
    await eventually(async () => calls.length === 2, 20_000, 'the queued messages');
    assert.deepEqual(calls, [['first'], ['second', 'third']]);
    const letter = await eventually(
      async () => dlq.received.find((r) => r.key === userId),
      20_000,
      'dead letter',
    );
    assert.equal(JSON.parse(letter.value).value, '{"userId": 1}');
  } finally {
    await consumer.stop();
    await dlq.stop();
  }
});
