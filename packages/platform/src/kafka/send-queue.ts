import type { Message, Producer, TopicMessages } from 'kafkajs';

/** Bounds one produce request well under the broker's default 1 MB record-batch limit. */
const MAX_BATCH_RECORDS = 2_000;
const MAX_BATCH_BYTES = 512 * 1024;

/** What may wait for Kafka in memory at once: past this a send is refused at once (the caller answers 503). */
export interface SendQueueLimits {
  maxQueuedSends: number;
  maxQueuedBytes: number;
}

export const DEFAULT_SEND_QUEUE_LIMITS: SendQueueLimits = {
  maxQueuedSends: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
};

export interface SendOptions {
  /**
   * How long the caller waits for the broker's acknowledgement. Past it the caller is rejected and, if its
   * records are still queued, they are removed: a caller that gave up (and answered 503) is never sent later.
   * Records already in the request on the wire cannot be recalled; they may still arrive (a duplicate of the
   * caller's retry, which every consumer applies idempotently).
   */
  deadlineMs?: number;
}

/** The queue holds its bound: the send was refused without being queued. */
export class SendQueueFullError extends Error {
  constructor(what: string) {
    super(`the Kafka send queue is full (${what})`);
    this.name = 'SendQueueFullError';
  }
}

/** The broker did not acknowledge within the caller's deadline. */
export class SendTimeoutError extends Error {
  constructor(
    ms: number,
    /** Whether the records were removed from the queue (false: they were already on the wire). */
    readonly removed: boolean,
  ) {
    super(`Kafka did not acknowledge within ${ms} ms${removed ? ' (records removed from the queue)' : ''}`);
    this.name = 'SendTimeoutError';
  }
}

export interface SendQueueStats {
  /** Callers waiting for the next request. */
  queuedSends: number;
  queuedRecords: number;
  queuedBytes: number;
  /** Callers in the request on the wire. */
  inFlightSends: number;
  /** Records removed because their caller's deadline passed (since start). */
  expiredRecords: number;
  /** Sends refused because the queue was full (since start). */
  refusedSends: number;
}

interface Waiting {
  topic: string;
  records: Message[];
  bytes: number;
  settled: boolean;
  /** Part of the produce request on the wire: no longer recallable. */
  onWire: boolean;
  timer?: NodeJS.Timeout;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for an idempotent producer. Idempotence allows one produce request in flight, so sending each
 * caller's messages on their own queues every caller behind the previous round trip (the webhook's capacity
 * was one request per broker round trip). Here whatever callers queue while a request is in flight leaves
 * together in the next one, and each caller still resolves only once the broker acknowledged its messages.
 * An idle queue sends at once: no added latency. Order is kept: records leave in the order they were queued.
 *
 * While the broker is unreachable the request in flight can take minutes; the queue behind it is bounded
 * (count and bytes) and a caller's deadline takes its records out, so an outage never grows memory and never
 * sends, after recovery, what the callers already gave up on.
 */
export class SendQueue {
  private readonly waiting: Waiting[] = [];
  private inFlight: Waiting[] = [];
  private sending = false;
  private queuedBytes = 0;
  private queuedRecords = 0;
  private expiredRecords = 0;
  private refusedSends = 0;

  constructor(
    private readonly producer: Producer,
    private readonly connect: () => Promise<void>,
    private readonly limits: SendQueueLimits = DEFAULT_SEND_QUEUE_LIMITS,
  ) {}

  send(topic: string, records: Message[], options: SendOptions = {}): Promise<void> {
    const bytes = records.reduce((n, r) => n + byteLength(r.value) + byteLength(r.key), 0);
    if (this.waiting.length >= this.limits.maxQueuedSends) {
      this.refusedSends += 1;
      return Promise.reject(new SendQueueFullError(`${this.waiting.length} sends waiting`));
    }
    // One caller larger than the whole bound still goes when the queue is empty (it is one request's worth).
    if (this.waiting.length > 0 && this.queuedBytes + bytes > this.limits.maxQueuedBytes) {
      this.refusedSends += 1;
      return Promise.reject(new SendQueueFullError(`${this.queuedBytes} bytes waiting`));
    }
    return new Promise((resolve, reject) => {
      const w: Waiting = {
        topic,
        records,
        bytes,
        settled: false,
        onWire: false,
        resolve: () => this.settle(w, () => resolve()),
        reject: (error) => this.settle(w, () => reject(error)),
      };
      if (options.deadlineMs !== undefined) {
        const ms = options.deadlineMs;
        w.timer = setTimeout(() => this.expire(w, ms), ms);
      }
      this.waiting.push(w);
      this.queuedBytes += bytes;
      this.queuedRecords += records.length;
      void this.drain();
    });
  }

  stats(): SendQueueStats {
    return {
      queuedSends: this.waiting.length,
      queuedRecords: this.queuedRecords,
      queuedBytes: this.queuedBytes,
      inFlightSends: this.inFlight.length,
      expiredRecords: this.expiredRecords,
      refusedSends: this.refusedSends,
    };
  }

  private settle(w: Waiting, done: () => void): void {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    done();
  }

  private expire(w: Waiting, ms: number): void {
    const i = this.waiting.indexOf(w);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      this.unqueued([w]);
      this.expiredRecords += w.records.length;
    }
    // Taken into a batch that is still connecting: the batch skips it, so it is removed all the same.
    w.reject(new SendTimeoutError(ms, !w.onWire));
  }

  private unqueued(batch: Waiting[]): void {
    for (const w of batch) {
      this.queuedBytes -= w.bytes;
      this.queuedRecords -= w.records.length;
    }
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
    const batch = this.waiting.splice(0, count);
    this.unqueued(batch);
    return batch;
  }

  private async sendBatch(batch: Waiting[]): Promise<void> {
    this.inFlight = batch;
    try {
      await this.connect();
      // Callers whose deadline passed while the connection was being made are not sent at all.
      const live = batch.filter((w) => !w.settled);
      if (live.length === 0) return;
      this.inFlight = live;
      for (const w of live) w.onWire = true;
      await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(live) });
      for (const w of live) w.resolve();
    } catch (error) {
      // Every caller of the request learns it failed and retries its own way (nothing is acknowledged).
      for (const w of batch) w.reject(error);
    } finally {
      this.inFlight = [];
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
