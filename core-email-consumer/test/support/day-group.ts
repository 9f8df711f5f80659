// A fresh consumer group placed at the current end of several topics with one group join. kafka-group.ts's
// groupAtTopicEnd does it with kafkajs's admin.setOffsets, which joins the group once per topic, and each
// join of an empty group waits out the broker's initial rebalance delay: five topics took 25 s of the day's
// three minutes.
import type { Kafka } from 'kafkajs';

export async function groupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: { topic: string; partition: number; offset: string }[] = [];
  try {
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        ends.push({ topic, partition: o.partition, offset: o.high });
      }
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    const joined = new Promise<void>((done) => consumer.on(consumer.events.GROUP_JOIN, () => done()));
    await consumer.subscribe({ topics, fromBeginning: false });
    // Reads nothing on purpose: only the offsets committed below count.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    await joined;
    await consumer.commitOffsets(ends);
  } finally {
    await consumer.disconnect();
  }
}
