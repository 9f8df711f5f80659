import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractError, decode, dlqTopicOf, DeadLetter, MessageOf, TopicName } from '@core-email/contracts';
import type { KafkaPublisher } from './publisher';
import { finishesWithin } from './deadline';
import { CommitPoint, inParallel, lanesByKey } from './key-lanes';
import { backoffDelay, RetryPolicy, sleep } from './retry';

export interface HandlerContext {
  topic: TopicName;
  partition: number;
  offset: string;
  attempt: number;
  /** Long handlers call this so the group does not think the consumer died. */
  heartbeat(): Promise<void>;
}

export type MessageHandler<T extends TopicName> = (
  message: MessageOf<T>,
  ctx: HandlerContext,
) => Promise<void>;

export type HandlerMap = { [T in TopicName]?: MessageHandler<T> };

export interface TopicConsumerOptions {
  groupId: string;
  retry: RetryPolicy;
  /** Where to start when the group has no committed offset. */
  fromBeginning?: boolean;
  /** How long a fetch waits for data; also how long a clean stop can take. */
  maxWaitTimeInMs?: number;
  /** Partitions handled at once (1 by default). */
  partitionConcurrency?: number;
  /** Users (message keys) of one partition handled at once; one user's messages stay in order (1 by default). */
  keyConcurrency?: number;
  onDeadLetter?: (letter: DeadLetter) => void;
  onProcessed?: (topic: TopicName) => void;
}

/** One message of a batch, with what its handler needs of the batch. */
interface Delivery {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
}

/**
 * Runs handlers for a set of topics in one consumer group. An offset is committed only after its handler
 * succeeded, or after the message was safely written to the topic's dead-letter queue: a malformed message
 * goes there at once, a failing one after bounded retries, so no message blocks its partition.
 *
 * Messages are keyed by user, so only one user's messages need order: a partition's batch runs as one lane per
 * user, several lanes at once, and the offset committed is the end of the finished prefix of the batch.
 */
export class TopicConsumer {
  private readonly consumer: Consumer;
  private running = false;
  /** Resolves once the consumer holds its partitions and has fetched from them. */
  readonly ready: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly publisher: KafkaPublisher,
    private readonly handlers: HandlerMap,
    private readonly options: TopicConsumerOptions,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 1000,
    });
    // The first completed fetch after joining means the partitions are held and their offsets resolved.
    this.ready = new Promise((resolve) => this.consumer.on(this.consumer.events.FETCH, () => resolve()));
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: Object.keys(this.handlers),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionConcurrency ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.running = true;
  }

  /**
   * Leaves the group so its partitions move at once. Bounded: kafkajs can wait a long time on a broker that
   * is still recovering, and a shutdown must not hang on it (uncommitted messages are simply read again).
   */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (!(await finishesWithin(this.consumer.disconnect(), timeoutMs))) {
      this.logger.warn({ groupId: this.options.groupId }, 'consumer did not leave its group in time');
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat } = payload;
    const { topic, partition } = batch;
    const point = new CommitPoint(batch.messages.map((m) => m.offset));
    let commits = Promise.resolve();
    let committed = -1n;
    const commit = (offset: string) => {
      commits = commits.then(async () => {
        if (BigInt(offset) <= committed) return;
        await this.consumer.commitOffsets([{ topic, partition, offset }]);
        committed = BigInt(offset);
      });
      return commits;
    };
    await inParallel(lanesByKey(batch.messages), this.options.keyConcurrency ?? 1, async (lane) => {
      for (const message of lane) {
        await this.handle({ topic, partition, message, heartbeat });
        const offset = point.finish(message.offset);
        if (offset !== undefined) await commit(offset);
      }
    });
    const last = batch.messages[batch.messages.length - 1];
    if (last) payload.resolveOffset(last.offset);
  }

  private async handle(delivery: Delivery): Promise<void> {
    const attempts = await this.process(delivery);
    if (attempts.error) await this.deadLetter(delivery, attempts.error, attempts.count);
  }

  private async process(payload: Delivery): Promise<{ count: number; error?: string }> {
    const topic = payload.topic as TopicName;
    const handler = this.handlers[topic] as MessageHandler<TopicName> | undefined;
    let decoded: MessageOf<TopicName>;
    try {
      decoded = decode(topic, payload.message.value);
    } catch (error) {
      if (error instanceof ContractError) return { count: 0, error: error.message };
      throw error;
    }
    const { retry } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await handler!(decoded, {
          topic,
          partition: payload.partition,
          offset: payload.message.offset,
          attempt,
          heartbeat: payload.heartbeat,
        });
        this.options.onProcessed?.(topic);
        return { count: attempt };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          { topic, partition: payload.partition, offset: payload.message.offset, attempt, err: error },
          'handler failed',
        );
        if (attempt >= retry.attempts) return { count: attempt, error: reason };
        await sleep(backoffDelay(retry, attempt));
        await payload.heartbeat();
      }
    }
  }

  private async deadLetter(payload: Delivery, error: string, attempts: number): Promise<void> {
    const { topic, partition, message } = payload;
    const letter: DeadLetter = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? null,
      error,
      attempts,
      failedAt: new Date().toISOString(),
    };
    // If this send fails the offset stays uncommitted and the message is read again: delayed, never lost.
    await this.publisher.publishRaw(
      dlqTopicOf(topic as TopicName),
      letter.key,
      Buffer.from(JSON.stringify(letter)),
    );
    this.logger.error(
      { topic, partition, offset: message.offset, attempts, error },
      'message sent to the dead-letter topic',
    );
    this.options.onDeadLetter?.(letter);
  }
}
