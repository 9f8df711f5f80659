import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { encode, keyOf, MessageOf, TopicName } from '@core-email/contracts';
import { SendOptions, SendQueue, SendQueueStats } from './send-queue';

/** What the services use to send work: validated against the contract, keyed by user, acknowledged by all replicas. */
export interface Publisher {
  publish<T extends TopicName>(topic: T, message: MessageOf<T>, options?: SendOptions): Promise<void>;
  publishMany<T extends TopicName>(topic: T, messages: MessageOf<T>[], options?: SendOptions): Promise<void>;
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

  /** Connects once; a failed attempt is forgotten, so the next send (or the start-up loop) tries again. */
  connect(): Promise<void> {
    if (!this.connected) {
      const attempt = this.producer.connect();
      this.connected = attempt;
      attempt.catch(() => {
        if (this.connected === attempt) this.connected = undefined;
      });
    }
    return this.connected;
  }

  async publish<T extends TopicName>(topic: T, message: MessageOf<T>, options?: SendOptions): Promise<void> {
    await this.publishMany(topic, [message], options);
  }

  async publishMany<T extends TopicName>(
    topic: T,
    messages: MessageOf<T>[],
    options?: SendOptions,
  ): Promise<void> {
    if (messages.length === 0) return;
    const records = messages.map((m) => ({ key: keyOf(topic, m), value: encode(topic, m) }));
    await this.queue.send(topic, records, options);
  }

  /** Records already encoded (and validated) elsewhere: the outbox relay's rows. */
  async sendEncoded(topic: string, records: Message[], options?: SendOptions): Promise<void> {
    if (records.length === 0) return;
    await this.queue.send(topic, records, options);
  }

  /** Raw bytes, for the dead-letter topics only: their payload is whatever failed. */
  async publishRaw(topic: string, key: string | null, value: Buffer): Promise<void> {
    await this.queue.send(topic, [{ key, value }]);
  }

  /** What waits in memory for the broker (bounded), for health and tests. */
  queueStats(): SendQueueStats {
    return this.queue.stats();
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
