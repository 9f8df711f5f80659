// Reads what the services publish on some topics from now on, in a consumer group of the test's own (it takes
// nothing from the product's consumers, each group gets every message): to see which jobs the product's
// webhook turned Exchange's notifications into, and which jobs those led to.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { waitForGroup } from './kafka-group';

export interface TappedMessage {
  topic: string;
  value: Record<string, unknown>;
}

export interface TopicTap {
  /** Every message read so far, parsed, in the order read. */
  messages: TappedMessage[];
  stop(): Promise<void>;
}

export async function tapTopics(kafka: Kafka, topics: string[]): Promise<TopicTap> {
  const groupId = `day-tap-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  const messages: TappedMessage[] = [];
  await consumer.connect();
  // A group without offsets starts at the end of each topic (fromBeginning: false).
  await consumer.subscribe({ topics, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      try {
        const value = JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>;
        messages.push({ topic, value });
      } catch {
        // not JSON: not one of the product's messages
      }
    },
  });
  await waitForGroup(kafka, groupId, 1);
  return { messages, stop: () => consumer.disconnect() };
}
