import { setTimeout as sleep } from 'node:timers/promises';
import { TOPICS } from '@core-email/contracts';
// A fresh consumer group starts at the topic's beginning (TopicConsumer's default), where older jobs of
// other tests' users wait. Committing the group's offsets at the topic's end before any member joins means
// our consumers only see jobs published from now on (jobs others publish meanwhile still arrive, so the
// tests only make assertions about their own users).
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { stackEnv } from '@core-email/platform/testing';

export function testKafka(): Kafka {
  const brokers = stackEnv(process.env).KAFKA_BROKERS!.split(',');
  return new Kafka({ clientId: 'consumer-process-test', brokers, logLevel: logLevel.NOTHING });
}

/** Every topic the consumer reads: a fresh group must start at the end of each, not replay other tests' jobs. */
export const CONSUMER_TOPICS: string[] = [
  TOPICS.syncEmail,
  TOPICS.createEmailSubscription,
  TOPICS.updateEmailSubscription,
  TOPICS.createEmailSubscriptionCron,
  TOPICS.auditMailbox,
];

/** Sets a not-yet-joined group's offsets to the current end of each topic (one admin connection). */
export async function groupAtTopicEnd(
  kafka: Kafka,
  groupId: string,
  topics: string | string[] = CONSUMER_TOPICS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // One topic at a time: concurrent setOffsets for one group did not all stick.
    for (const topic of Array.isArray(topics) ? topics : [topics]) {
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

/** Waits until the group has `members` members and a settled assignment. */
export async function waitForGroup(kafka: Kafka, groupId: string, members: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length === members) return;
      if (Date.now() > deadline) throw new Error(`group ${groupId} did not settle with ${members} members`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

/** The partition kafkajs's default partitioner gives a key (every message is keyed by user id). */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return Partitioners.DefaultPartitioner()({
    topic: 'sync_email',
    partitionMetadata,
    message: { key, value: null },
  });
}
