import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractError, decode, dlqTopicOf, DeadLetter, MessageOf, TopicName } from '@core-email/contracts';
import type { KafkaPublisher } from './publisher';
import { finishesWithin } from './deadline';
import { LaneScheduler, OffsetLog } from './key-lanes';
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

/** A handler that takes several of one user's queued messages at once (e.g. to coalesce them). */
export interface BatchHandler<T extends TopicName> {
  /** At most this many messages per call. */
  maxBatch: number;
  handle(messages: MessageOf<T>[], ctx: HandlerContext): Promise<void>;
}

export type BatchHandlerMap = { [T in TopicName]?: BatchHandler<T> };

export interface TopicConsumerOptions {
  groupId: string;
  retry: RetryPolicy;
  /** Where to start when the group has no committed offset. */
  fromBeginning?: boolean;
  /** How long a fetch waits for data; also how long a clean stop can take. */
  maxWaitTimeInMs?: number;
  /** Users (message keys) handled at once, across partitions; one user's messages stay in order (1 by default). */
  keyConcurrency?: number;
  /** Topics handled a user's queued messages at a time instead of one by one (they replace `handlers`). */
  batchHandlers?: BatchHandlerMap;
  onDeadLetter?: (letter: DeadLetter) => void;
  onProcessed?: (topic: TopicName) => void;
}

/** One message of a batch, with what its handler needs of the batch. */
interface Delivery {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  /** Where the message's partition keeps its offsets (one per partition and group generation). */
  log: PartitionLog;
}

interface PartitionLog {
  generation: number;
  offsets: OffsetLog;
  committed: bigint;
  commits: Promise<void>;
}

/** A partition stops being fetched while this many of its messages are unfinished. */
const MAX_PENDING_PER_PARTITION = 2_000;
/** After a failure to dead-letter (Kafka unreachable), the message is tried again after this. */
const REDELIVERY_PAUSE_MS = 1_000;

/**
 * Runs handlers for a set of topics in one consumer group. An offset is committed only after its handler
 * succeeded, or after the message was safely written to the topic's dead-letter queue: a malformed message
 * goes there at once, a failing one after bounded retries, so no message blocks its partition.
 *
 * Messages are keyed by user, so only one user's messages need order: each topic and user is a lane, lanes
 * run side by side, and a batch is handed to the lanes and fetching goes on (kafkajs would otherwise wait for
 * the slowest message of every partition before fetching again). The offset committed for a partition is
 * the one after its longest finished run of messages.
 */
export class TopicConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private generation = 0;
  private readonly logs = new Map<string, PartitionLog>();
  private readonly lanes: LaneScheduler<Delivery>;
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
    // A new generation fetches from the committed offsets again: what the old one left unfinished comes back.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.generation += 1));
    this.lanes = new LaneScheduler(
      options.keyConcurrency ?? 1,
      (ds) => this.deliver(ds),
      (d) => this.batchHandlerOf(d)?.maxBatch ?? 1,
    );
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...new Set([...Object.keys(this.handlers), ...Object.keys(this.options.batchHandlers ?? {})])],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
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
    // Messages already being handled finish and are committed if they can be in time; queued ones are not
    // started (they are read again after the restart).
    const drained = this.lanes.close().then(() => Promise.all([...this.logs.values()].map((l) => l.commits)));
    await finishesWithin(drained, timeoutMs / 2);
    if (!(await finishesWithin(this.consumer.disconnect(), timeoutMs / 2))) {
      this.logger.warn({ groupId: this.options.groupId }, 'consumer did not leave its group in time');
    }
  }

  /** Hands the batch to the lanes and returns, so fetching goes on; waits only while the partition is full. */
  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat } = payload;
    const { topic, partition } = batch;
    const log = this.logFor(topic, partition);
    for (const message of batch.messages) {
      log.offsets.add(message.offset);
      this.lanes.push(`${topic}|${message.key?.toString('latin1') ?? ''}`, {
        topic,
        partition,
        message,
        heartbeat,
        log,
      });
      payload.resolveOffset(message.offset);
    }
    while (log.offsets.pending > MAX_PENDING_PER_PARTITION && this.running && !payload.isStale()) {
      await sleep(20);
      await heartbeat();
    }
  }

  private logFor(topic: string, partition: number): PartitionLog {
    const key = `${topic}|${partition}`;
    const current = this.logs.get(key);
    if (current?.generation === this.generation) return current;
    const log = {
      generation: this.generation,
      offsets: new OffsetLog(),
      committed: -1n,
      commits: Promise.resolve(),
    };
    this.logs.set(key, log);
    return log;
  }

  /** Messages of one lane to their end: handled or dead-lettered, then their offsets counted as finished. */
  private async deliver(ds: Delivery[]): Promise<void> {
    const batch = this.batchHandlerOf(ds[0]);
    for (;;) {
      try {
        await (batch ? this.handleMany(ds, batch) : this.handle(ds[0]));
        break;
      } catch (error) {
        // The dead-letter topic could not take it: the message is neither done nor lost; try it again.
        this.logger.error(
          { topic: ds[0].topic, partition: ds[0].partition, offset: ds[0].message.offset, err: error },
          'message not settled; retrying',
        );
        if (!this.running) return;
        await sleep(REDELIVERY_PAUSE_MS);
      }
    }
    for (const d of ds) {
      const offset = d.log.offsets.finish(d.message.offset);
      if (offset !== undefined) this.commit(d, offset);
    }
  }

  private batchHandlerOf(d: Delivery): BatchHandler<TopicName> | undefined {
    return this.options.batchHandlers?.[d.topic as TopicName] as BatchHandler<TopicName> | undefined;
  }

  /** Commits in order per partition; a commit of an older generation is skipped (its partition moved). */
  private commit(d: Delivery, offset: string): void {
    const { log } = d;
    log.commits = log.commits.then(async () => {
      if (BigInt(offset) <= log.committed || log.generation !== this.generation) return;
      try {
        await this.consumer.commitOffsets([{ topic: d.topic, partition: d.partition, offset }]);
        log.committed = BigInt(offset);
      } catch (error) {
        // Not committed: after a restart or rebalance the messages are read again (handlers are idempotent).
        this.logger.warn(
          { topic: d.topic, partition: d.partition, offset, err: error },
          'offset not committed',
        );
      }
    });
  }

  private async handle(delivery: Delivery): Promise<void> {
    const decoded = this.decode(delivery);
    if ('error' in decoded) return this.deadLetter(delivery, decoded.error, 0);
    const handler = this.handlers[delivery.topic as TopicName] as MessageHandler<TopicName>;
    const outcome = await this.withRetries(delivery, (ctx) => handler(decoded.message, ctx));
    if (outcome.error) await this.deadLetter(delivery, outcome.error, outcome.count);
    else this.options.onProcessed?.(delivery.topic as TopicName);
  }

  /** Malformed messages go to the dead-letter topic alone; the others are handled (and retried) together. */
  private async handleMany(ds: Delivery[], batch: BatchHandler<TopicName>): Promise<void> {
    const good: Array<{ delivery: Delivery; message: MessageOf<TopicName> }> = [];
    for (const delivery of ds) {
      const decoded = this.decode(delivery);
      if ('error' in decoded) await this.deadLetter(delivery, decoded.error, 0);
      else good.push({ delivery, message: decoded.message });
    }
    if (good.length === 0) return;
    const messages = good.map((g) => g.message);
    const outcome = await this.withRetries(good[good.length - 1].delivery, (ctx) =>
      batch.handle(messages, ctx),
    );
    for (const g of good) {
      if (outcome.error) await this.deadLetter(g.delivery, outcome.error, outcome.count);
      else this.options.onProcessed?.(g.delivery.topic as TopicName);
    }
  }

  private decode(payload: Delivery): { message: MessageOf<TopicName> } | { error: string } {
    try {
      return { message: decode(payload.topic as TopicName, payload.message.value) };
    } catch (error) {
      if (error instanceof ContractError) return { error: error.message };
      throw error;
    }
  }

  /** Runs `work` until it succeeds or the retry policy gives up (with the last error). */
  private async withRetries(
    payload: Delivery,
    work: (ctx: HandlerContext) => Promise<void>,
  ): Promise<{ count: number; error?: string }> {
    const topic = payload.topic as TopicName;
    const { retry } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await work({
          topic,
          partition: payload.partition,
          offset: payload.message.offset,
          attempt,
          heartbeat: payload.heartbeat,
        });
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
