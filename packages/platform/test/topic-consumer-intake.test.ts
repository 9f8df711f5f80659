// The consumer's intake against the stack's Kafka: one user's handler blocked indefinitely neither stops the
// other users of its partition nor other topics, what the consumer keeps stays bounded, the committed offset
// never passes the blocked message (a restarted consumer gets it again, then the user's later messages in
// order), and after a rebalance nothing queued for a partition that moved is run by the old member.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, PartitionMetadata, Partitioners } from 'kafkajs';
import { MessageOf, TOPICS } from '@core-email/contracts';
import { ensureTopics } from '../src/kafka/topic-admin';
import { KafkaPublisher } from '../src/kafka/publisher';
import { HandlerMap, TopicConsumer, TopicConsumerOptions } from '../src/kafka/topic-consumer';
import { eventually } from '../src/testing/stack-env';
import { silentLogger, testKafka } from '../src/testing/kafka';

const SYNC = TOPICS.syncEmail;
const UPDATES = TOPICS.updateEmailSubscription;
type SyncJob = MessageOf<typeof SYNC>;
type Update = MessageOf<typeof UPDATES>;

const job = (userId: string): SyncJob => ({
  userId,
  runId: randomUUID(),
  mode: 'incremental',
  reason: 'resync',
  requestedAt: new Date().toISOString(),
});
const update = (userId: string): Update => ({
  userId,
  subscriptionId: randomUUID(),
  kind: 'change',
  changeType: 'created',
  receivedAt: new Date().toISOString(),
});

function partitionOf(topic: string, key: string): number {
  const partitionMetadata = Array.from(
    { length: 3 },
    (_, i) => ({ partitionId: i, leader: 1 }) as PartitionMetadata,
  );
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

/** `count` users whose sync jobs land on `partition`. */
function usersOn(partition: number, count: number): string[] {
  const users: string[] = [];
  while (users.length < count) {
    const u = randomUUID();
    if (partitionOf(SYNC, u) === partition) users.push(u);
  }
  return users;
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

async function committedOffset(groupId: string, topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(t.partitions.find((p) => p.partition === partition)!.offset);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits a not-yet-joined group's offsets at the topics' current ends: a fresh group that committed nothing
 * would start a later generation at the end again, past what the earlier one left unfinished.
 */
async function groupAtEnd(groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

async function endOffset(topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)!.high);
  } finally {
    await admin.disconnect();
  }
}

function consumerOf(handlers: HandlerMap, options: Partial<TopicConsumerOptions> & { groupId: string }) {
  return new TopicConsumer(
    kafka,
    publisher,
    handlers,
    {
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      fromBeginning: false,
      maxWaitTimeInMs: 200,
      ...options,
    },
    silentLogger,
  );
}

test("one user's handler blocked indefinitely: 7,000 messages of other users on its partition and on another topic are handled, the intake stays bounded, and nothing past the blocked message is committed", async () => {
  const groupId = `test-intake-${randomUUID()}`;
  const stuckUser = randomUUID();
  const partition = partitionOf(SYNC, stuckUser);
  const others = usersOn(partition, 500);
  const updateUsers = Array.from({ length: 200 }, () => randomUUID());
  const ours = new Set([stuckUser, ...others, ...updateUsers]);
  const handled = new Map<string, string[]>(); // user → its runIds / subscription ids, in handling order
  const record = (user: string, id: string) => handled.set(user, [...(handled.get(user) ?? []), id]);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let blocked = false;
  const handlers = (blockFirst: boolean): HandlerMap => ({
    [SYNC]: async (m: SyncJob) => {
      if (!ours.has(m.userId)) return;
      if (blockFirst && m.userId === stuckUser && m.reason === 'connected') {
        blocked = true;
        await gate; // a mailbox waiting on Graph for as long as it takes
      }
      record(m.userId, m.runId);
    },
    [UPDATES]: async (m: Update) => {
      if (ours.has(m.userId)) record(m.userId, m.subscriptionId);
    },
  });
  const bounds = { perKey: 5, perPartition: 100, perProcess: 1_000 };
  // keyConcurrency 1 (the default): the blocked user gives its place away after 300 ms.
  await groupAtEnd(groupId, [SYNC, UPDATES]);
  const first = consumerOf(handlers(true), { groupId, intake: bounds, slowKeyAfterMs: 300 });
  await first.start();
  await first.ready;
  let second: TopicConsumer | undefined;
  let sampling = true;
  let mostTracked = 0;
  let mostQueued = 0;
  const sampler = (async () => {
    while (sampling) {
      const stats = first.intakeStats();
      mostTracked = Math.max(mostTracked, stats.tracked);
      mostQueued = Math.max(mostQueued, stats.queued);
      await sleep(10);
    }
  })();
  try {
    const start = await endOffset(SYNC, partition);
    const stuckJob = { ...job(stuckUser), reason: 'connected' as const };
    await publisher.publish(SYNC, stuckJob);
    await eventually(async () => blocked || undefined, 20_000, 'the blocked handler');
    // 20 more of the blocked user (4 queue in its lane, the rest stay in Kafka), then 5,000 jobs of 500 other
    // users on the same partition and 2,000 updates on another topic.
    const stuckLater = Array.from({ length: 20 }, () => job(stuckUser));
    await publisher.publishMany(SYNC, stuckLater);
    const otherJobs = Array.from({ length: 5_000 }, (_, i) => job(others[i % others.length]));
    for (let i = 0; i < otherJobs.length; i += 500)
      await publisher.publishMany(SYNC, otherJobs.slice(i, i + 500));
    const updates = Array.from({ length: 2_000 }, (_, i) => update(updateUsers[i % updateUsers.length]));
    for (let i = 0; i < updates.length; i += 500)
      await publisher.publishMany(UPDATES, updates.slice(i, i + 500));

    const count = (users: string[]) => users.reduce((n, u) => n + (handled.get(u)?.length ?? 0), 0);
    await eventually(
      async () => count(others) === 5_000 || undefined,
      120_000,
      'the other users on the partition',
    );
    await eventually(async () => count(updateUsers) === 2_000 || undefined, 120_000, 'the other topic');
    for (const u of others) {
      const mine = otherJobs.filter((j) => j.userId === u).map((j) => j.runId);
      assert.deepEqual(handled.get(u), mine, 'each user in order, each job once');
    }
    assert.equal(
      handled.get(stuckUser),
      undefined,
      "the blocked user's later jobs wait behind the blocked one",
    );
    const stats = first.intakeStats();
    assert.ok(stats.deferred > 0, "the blocked user's further jobs were left in Kafka, not held");
    assert.equal(stats.paused.length, 0, 'no partition is paused: the blocked user holds 5 of its 100');
    // Per partition: the unfinished offsets twice over (compaction slack) plus their keys and deferred keys;
    // 6 partitions. Tracking the distance from the oldest unfinished one would have held 5,000.
    assert.ok(mostTracked <= 6 * (2 * 100 + 65 + 100 + 1), `at most ${mostTracked} entries tracked`);
    assert.ok(mostQueued <= bounds.perProcess, `at most ${mostQueued} queued`);
    assert.ok(
      (await committedOffset(groupId, SYNC, partition)) <= start,
      'nothing past the blocked job is committed',
    );

    // A restart: the blocked job comes again, then the user's later jobs, in order.
    await first.stop(4_000);
    second = consumerOf(handlers(false), { groupId, intake: bounds });
    await second.start();
    await eventually(
      async () => (handled.get(stuckUser)?.length ?? 0) >= 21 || undefined,
      60_000,
      'the redelivery',
    );
    assert.deepEqual(
      handled.get(stuckUser),
      [stuckJob, ...stuckLater].map((j) => j.runId),
    );
    await eventually(
      async () => (await committedOffset(groupId, SYNC, partition)) >= start + 5_021 || undefined,
      60_000,
      'the commit past everything',
    );
  } finally {
    sampling = false;
    await sampler;
    release();
    await first.stop(4_000);
    await second?.stop();
  }
});

test('after a rebalance, what the old member queued for a partition that moved is not run by it', async () => {
  const groupId = `test-rebalance-${randomUUID()}`;
  const blocker = randomUUID();
  const users = [0, 1, 2].flatMap((p) => usersOn(p, 10));
  const ours = new Set([blocker, ...users]);
  const handledBy: Array<{ member: string; partition: number; runId: string }> = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let blocked = false;
  const handlers = (member: string): HandlerMap => ({
    [SYNC]: async (m: SyncJob, ctx) => {
      if (!ours.has(m.userId)) return;
      if (m.userId === blocker) {
        if (member === 'old') {
          blocked = true;
          await gate;
        }
        return;
      }
      handledBy.push({ member, partition: ctx.partition, runId: m.runId });
    },
  });
  // One lane at a time and no slow-lane release: everything behind the blocker stays queued.
  await groupAtEnd(groupId, [SYNC]);
  const old = consumerOf(handlers('old'), { groupId, slowKeyAfterMs: 600_000 });
  await old.start();
  await old.ready;
  let joiner: TopicConsumer | undefined;
  try {
    await publisher.publish(SYNC, job(blocker));
    await eventually(async () => blocked || undefined, 20_000, 'the blocker');
    const jobs = users.map(job);
    await publisher.publishMany(SYNC, jobs);
    await eventually(async () => old.intakeStats().queued >= jobs.length + 1 || undefined, 20_000, 'queued');

    joiner = consumerOf(handlers('new'), { groupId, keyConcurrency: 4 });
    await joiner.start();
    // The new member handles the jobs of the partitions it got; then the old member is let go.
    await eventually(
      async () => handledBy.some((h) => h.member === 'new') || undefined,
      60_000,
      'the new member',
    );
    await sleep(1_000);
    release();
    await eventually(
      async () => jobs.every((j) => handledBy.some((h) => h.runId === j.runId)) || undefined,
      60_000,
      'every job',
    );
    await sleep(1_000); // anything the old member still ran would show now
    const moved = new Set(handledBy.filter((h) => h.member === 'new').map((h) => h.partition));
    const ranByOld = handledBy.filter((h) => h.member === 'old' && moved.has(h.partition));
    assert.deepEqual(ranByOld, [], 'the old member ran nothing of the partitions that moved');
    for (const j of jobs) {
      assert.equal(handledBy.filter((h) => h.runId === j.runId).length, 1, 'each job handled once');
    }
  } finally {
    release();
    await joiner?.stop();
    await old.stop();
  }
});

test("a blocked user's jobs left in Kafka are read again once it is let go: each once, in order", async () => {
  const groupId = `test-reread-${randomUUID()}`;
  const stuckUser = randomUUID();
  const partition = partitionOf(SYNC, stuckUser);
  const others = usersOn(partition, 50);
  const ours = new Set([stuckUser, ...others]);
  const handled = new Map<string, string[]>();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let blocked = false;
  await groupAtEnd(groupId, [SYNC]);
  const consumer = consumerOf(
    {
      [SYNC]: async (m: SyncJob) => {
        if (!ours.has(m.userId)) return;
        if (m.userId === stuckUser && m.reason === 'connected') {
          blocked = true;
          await gate;
        }
        handled.set(m.userId, [...(handled.get(m.userId) ?? []), m.runId]);
      },
    },
    { groupId, keyConcurrency: 2, intake: { perKey: 5, perPartition: 100 } },
  );
  await consumer.start();
  await consumer.ready;
  try {
    const start = await endOffset(SYNC, partition);
    const first = { ...job(stuckUser), reason: 'connected' as const };
    await publisher.publish(SYNC, first);
    await eventually(async () => blocked || undefined, 20_000, 'the blocked handler');
    // The user's later jobs interleaved with other users' jobs: 4 queue behind the blocked one, 36 stay in Kafka.
    const later: SyncJob[] = [];
    const mixed: SyncJob[] = [];
    for (let i = 0; i < 40; i++) {
      const mine = job(stuckUser);
      later.push(mine);
      mixed.push(mine, ...others.slice(0, 10).map(job));
    }
    await publisher.publishMany(SYNC, mixed);
    const otherCount = () => others.reduce((n, u) => n + (handled.get(u)?.length ?? 0), 0);
    await eventually(async () => otherCount() === 400 || undefined, 60_000, 'the other users');
    assert.ok(consumer.intakeStats().deferred >= 30, "most of the blocked user's jobs stay in Kafka");
    release();
    await eventually(
      async () => (handled.get(stuckUser)?.length ?? 0) >= 41 || undefined,
      60_000,
      'the rest',
    );
    await sleep(500);
    assert.deepEqual(
      handled.get(stuckUser),
      [first, ...later].map((j) => j.runId),
    );
    assert.equal(otherCount(), 400, "read again, the other users' jobs are not handled twice");
    assert.equal(consumer.intakeStats().deferred, 0);
    await eventually(
      async () => (await committedOffset(groupId, SYNC, partition)) >= start + 441 || undefined,
      30_000,
      'the commit past everything',
    );
  } finally {
    release();
    await consumer.stop();
  }
});

test('a partition whose lanes are all held up is paused at its bound, then resumed: every job once', async () => {
  const groupId = `test-pause-${randomUUID()}`;
  const blocker = randomUUID();
  const partition = partitionOf(SYNC, blocker);
  const users = usersOn(partition, 100);
  const ours = new Set([blocker, ...users]);
  const handled: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let blocked = false;
  await groupAtEnd(groupId, [SYNC]);
  // One lane at a time and no slow-lane release: every job behind the blocker waits in the partition.
  const consumer = consumerOf(
    {
      [SYNC]: async (m: SyncJob) => {
        if (!ours.has(m.userId)) return;
        if (m.userId === blocker) {
          blocked = true;
          await gate;
          return;
        }
        handled.push(m.runId);
      },
    },
    { groupId, slowKeyAfterMs: 600_000, intake: { perKey: 5, perPartition: 20 } },
  );
  await consumer.start();
  await consumer.ready;
  try {
    const start = await endOffset(SYNC, partition);
    await publisher.publish(SYNC, job(blocker));
    await eventually(async () => blocked || undefined, 20_000, 'the blocker');
    const jobs = users.map(job);
    await publisher.publishMany(SYNC, jobs);
    await eventually(
      async () =>
        consumer.intakeStats().paused.some((p) => p.topic === SYNC && p.partition === partition) || undefined,
      20_000,
      'the partition paused',
    );
    assert.ok(consumer.intakeStats().queued <= 20, `${consumer.intakeStats().queued} queued`);
    release();
    await eventually(async () => handled.length >= jobs.length || undefined, 60_000, 'every job');
    await sleep(500);
    assert.deepEqual([...handled].sort(), jobs.map((j) => j.runId).sort(), 'every job once');
    assert.deepEqual(consumer.intakeStats().paused, []);
    await eventually(
      async () => (await committedOffset(groupId, SYNC, partition)) >= start + 101 || undefined,
      30_000,
      'the commit past everything',
    );
  } finally {
    release();
    await consumer.stop();
  }
});
