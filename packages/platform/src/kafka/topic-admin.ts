import type { Kafka } from 'kafkajs';
import { allTopicsWithDlq } from '@core-email/contracts';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

/** Creates every topic and its .dlq when missing, so nobody creates them by hand. Safe to run from every replica. */
export async function ensureTopics(kafka: Kafka, settings: TopicSettings): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = allTopicsWithDlq().filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
      })),
    });
    return missing;
  } catch (error) {
    // Another replica may have created the same topics a moment earlier.
    if ((error as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return [];
    throw error;
  } finally {
    await admin.disconnect();
  }
}
