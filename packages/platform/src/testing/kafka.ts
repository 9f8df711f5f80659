import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { stackEnv } from './stack-env';
import { testProcessEnv } from './config';

export const silentLogger = pino({ level: 'silent' });

export function testKafka(): Kafka {
  const brokers = stackEnv(testProcessEnv).KAFKA_BROKERS!.split(',');
  return new Kafka({ clientId: 'platform-test', brokers, logLevel: logLevel.NOTHING });
}

/** Collects what arrives on a raw topic from now on (its own throwaway group). */
export async function listen(kafka: Kafka, topic: string) {
  const received: Array<{ key: string | null; value: string; partition: number }> = [];
  const consumer = kafka.consumer({
    groupId: `listen-${topic}-${Date.now()}-${Math.random()}`,
    maxWaitTimeInMs: 200,
  });
  // The first completed fetch means the partitions are held and the starting offsets resolved.
  const ready = new Promise<void>((resolve) => consumer.on(consumer.events.FETCH, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      received.push({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? '',
        partition,
      });
    },
  });
  await ready;
  return { received, stop: () => consumer.disconnect() };
}
