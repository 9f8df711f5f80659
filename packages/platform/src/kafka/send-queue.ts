import type { Message, Producer, TopicMessages } from 'kafkajs';

/** Bounds one produce request well under the broker's default 1 MB record-batch limit. */
const MAX_BATCH_RECORDS = 2_000;
const MAX_BATCH_BYTES = 512 * 1024;

interface Waiting {
  topic: string;
  records: Message[];
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for an idempotent producer. Idempotence allows one produce request in flight, so sending each
 * caller's messages on their own queues every caller behind the previous round trip (the webhook's capacity
 * was one request per broker round trip). Here whatever callers queue while a request is in flight leaves
 * together in the next one, and each caller still resolves only once the broker acknowledged its messages.
 * An idle queue sends at once: no added latency. Order is kept: records leave in the order they were queued.
 */
export class SendQueue {
  private readonly waiting: Waiting[] = [];
  private sending = false;

  constructor(
    private readonly producer: Producer,
    private readonly connect: () => Promise<void>,
  ) {}

  send(topic: string, records: Message[]): Promise<void> {
    const bytes = records.reduce((n, r) => n + byteLength(r.value) + byteLength(r.key), 0);
    return new Promise((resolve, reject) => {
      this.waiting.push({ topic, records, bytes, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.waiting.length > 0) await this.sendBatch(this.takeBatch());
    } finally {
      this.sending = false;
    }
  }

  /** At least one caller's messages, then more callers while the bounds allow. */
  private takeBatch(): Waiting[] {
    let records = 0;
    let bytes = 0;
    let count = 0;
    for (const w of this.waiting) {
      if (count > 0 && (records + w.records.length > MAX_BATCH_RECORDS || bytes + w.bytes > MAX_BATCH_BYTES))
        break;
      records += w.records.length;
      bytes += w.bytes;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }

  private async sendBatch(batch: Waiting[]): Promise<void> {
    try {
      await this.connect();
      await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(batch) });
      for (const w of batch) w.resolve();
    } catch (error) {
      // Every caller of the request learns it failed and retries its own way (nothing is acknowledged).
      for (const w of batch) w.reject(error);
    }
  }
}

function byTopic(batch: Waiting[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const w of batch) {
    const list = topics.get(w.topic) ?? [];
    list.push(...w.records);
    topics.set(w.topic, list);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

function byteLength(value: Message['value'] | Message['key']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
