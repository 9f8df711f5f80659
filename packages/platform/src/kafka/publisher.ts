import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { encode, keyOf, MessageOf, TopicName } from '@core-email/contracts';
import { SendQueue } from './send-queue';

/** What the services use to send work: validated against the contract, keyed by user, acknowledged by all replicas. */
export interface Publisher {
  publish<T extends TopicName>(topic: T, message: MessageOf<T>): Promise<void>;
  publishMany<T extends TopicName>(topic: T, messages: MessageOf<T>[]): Promise<void>;
}

export class KafkaPublisher implements Publisher {
  private readonly producer: Producer;
  private readonly queue: SendQueue;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    // Idempotent producer: a retried send never duplicates a message on the broker.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // kafkajs 2's default (murmur2, as Java clients), named so kafkajs does not warn about the v1 change.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.queue = new SendQueue(this.producer, () => this.connect());
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish<T extends TopicName>(topic: T, message: MessageOf<T>): Promise<void> {
    await this.publishMany(topic, [message]);
  }

  async publishMany<T extends TopicName>(topic: T, messages: MessageOf<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const records = messages.map((m) => ({ key: keyOf(topic, m), value: encode(topic, m) }));
    await this.queue.send(topic, records);
  }

  /** Raw bytes, for the dead-letter topics only: their payload is whatever failed. */
  async publishRaw(topic: string, key: string | null, value: Buffer): Promise<void> {
    await this.queue.send(topic, [{ key, value }]);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
