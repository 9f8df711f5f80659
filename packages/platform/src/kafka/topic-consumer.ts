import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractError, decode, dlqTopicOf, DeadLetter, MessageOf, TopicName } from '@core-email/contracts';
import type { KafkaPublisher } from './publisher';
import { finishesWithin } from '../util/deadline';
import { LaneScheduler } from './key-lanes';
import { IntakeBounds, PartitionIntake } from './partition-intake';
import { backoffDelay, RetryPolicy } from './retry';

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
  /** How much is taken in before fetching waits (defaults: `DEFAULT_INTAKE_BOUNDS`). */
  intake?: Partial<IntakeBounds & { perProcess: number }>;
  /** A user whose message has been handled this long stops counting against `keyConcurrency` (15 s). */
  slowKeyAfterMs?: number;
}

/** What the consumer holds in memory now (for tests and diagnostics). */
export interface IntakeStats {
  /** Messages taken and not finished, over every partition held. */
  queued: number;
  /** Bookkeeping entries (offsets, keys) over every partition held. */
  tracked: number;
  /** Messages left in Kafka because their user's lane was full; read again once it drains. */
  deferred: number;
  /** Partitions not fetched now because they hold as much as they may. */
  paused: Array<{ topic: string; partition: number }>;
}

/** One message of a batch, with what its handler needs of the batch. */
interface Delivery {
  topic: string;
  partition: number;
  key: string;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  /** What the message's partition took in (one per partition and group generation). */
  intake: PartitionIntake;
}

export const DEFAULT_INTAKE_BOUNDS = { perKey: 1_000, perPartition: 5_000, perProcess: 20_000 };
/** How long the group waits for a silent member before its partitions move. */
const SESSION_TIMEOUT_MS = 6_000;
/** After a failure to dead-letter (Kafka unreachable), the message is tried again after this. */
const REDELIVERY_PAUSE_MS = 1_000;
const SLOW_KEY_AFTER_MS = 15_000;

/**
 * Runs handlers for a set of topics in one consumer group. An offset is committed only after its handler
 * succeeded, or after the message was safely written to the topic's dead-letter queue: a malformed message
 * goes there at once, a failing one after bounded retries, so no message blocks its partition.
 *
 * Messages are keyed by user, so only one user's messages need order: each topic and user is a lane, lanes
 * run side by side, and a batch is handed to the lanes and `eachBatch` returns at once, so kafkajs goes on
 * fetching every partition. What is taken in is bounded by unfinished messages, per user, per partition and
 * per process (see `PartitionIntake`): a full partition is paused (only it) and resumed once it drained to
 * half; a full user's further messages stay in Kafka and are read again once its lane drained. The offset
 * committed for a partition is the one after its longest finished run of messages. After a rebalance,
 * nothing queued of the old generation is started, and what was running is not committed.
 */
export class TopicConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private readonly intakes = new Map<string, PartitionIntake>();
  private readonly paused = new Set<PartitionIntake>();
  /** Messages queued or running over every partition held. */
  private queued = 0;
  /**
   * Seeks of ours kafkajs may not have applied yet, with where the partition may safely restart. kafkajs keeps
   * a pending seek across a rebalance; a later generation must not start there (it would skip what the
   * old one left unfinished), so after a join such partitions are sought back to that safe point.
   */
  private readonly pendingSeeks = new Map<string, number>();
  private readonly bounds: IntakeBounds & { perProcess: number };
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
    const bounds = { ...DEFAULT_INTAKE_BOUNDS, ...options.intake };
    // A partition resumes at half its bound: one user's full lane alone must never keep it paused.
    this.bounds = {
      ...bounds,
      perKey: Math.max(1, Math.min(bounds.perKey, Math.floor(bounds.perPartition / 2))),
    };
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 1000,
      // A member that crashed (or restarted its consumer after the broker came back) holds its partitions
      // until its session times out: kafkajs' 30 s default kept mail waiting 30 s after a broker restart.
      // Handlers never block the heartbeats (eachBatch returns at once), so the broker's minimum
      // (group.min.session.timeout.ms, 6 s) is safe.
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: SESSION_TIMEOUT_MS / 5,
    });
    // The first completed fetch after joining means the partitions are held and their offsets resolved.
    this.ready = new Promise((resolve) => this.consumer.on(this.consumer.events.FETCH, () => resolve()));
    // A rebalance revokes every partition (kafkajs's eager protocol); the new generation fetches from the
    // committed offsets again, so what the old one queued is dropped, not run a second time beside it.
    this.consumer.on(this.consumer.events.REBALANCING, () => this.revokeAll());
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.revokeAll();
      this.undoStaleSeeks(payload.memberAssignment);
    });
    this.lanes = new LaneScheduler(
      options.keyConcurrency ?? 1,
      (ds) => this.deliver(ds),
      (d) => this.batchHandlerOf(d)?.maxBatch ?? 1,
      { slowAfterMs: options.slowKeyAfterMs ?? SLOW_KEY_AFTER_MS },
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
      eachBatch: async (payload) => this.handleBatch(payload),
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
    const drained = this.lanes
      .close()
      .then(() => Promise.all([...this.intakes.values()].map((i) => i.commits)));
    await finishesWithin(drained, timeoutMs / 2);
    if (!(await finishesWithin(this.consumer.disconnect(), timeoutMs / 2))) {
      this.logger.warn({ groupId: this.options.groupId }, 'consumer did not leave its group in time');
    }
  }

  intakeStats(): IntakeStats {
    const held = [...this.intakes.values()];
    return {
      queued: this.queued,
      tracked: held.reduce((sum, i) => sum + i.tracked, 0),
      deferred: held.reduce((sum, i) => sum + i.deferredMessages, 0),
      paused: [...this.paused].map(({ topic, partition }) => ({ topic, partition })),
    };
  }

  /**
   * Hands the batch's messages to the lanes and returns at once. A partition that holds as much as it may is
   * paused (the rest of the batch is not resolved: fetching resumes there).
   */
  private handleBatch(payload: EachBatchPayload): void {
    const { batch, heartbeat } = payload;
    const { topic, partition } = batch;
    // A seek of ours moved the partition since this was fetched: it is read again from there.
    if (!this.running || payload.isStale()) return;
    this.pendingSeeks.delete(`${topic}|${partition}`);
    const intake = this.intakeFor(topic, partition);
    for (const message of batch.messages) {
      const key = message.key?.toString('latin1') ?? '';
      const admission = intake.admit(Number(message.offset), key, this.queued >= this.bounds.perProcess);
      if (admission === 'stop') {
        this.pause(intake);
        return;
      }
      if (admission === 'take') {
        this.queued += 1;
        this.lanes.push(`${topic}|${key}`, { topic, partition, key, message, heartbeat, intake });
      }
      payload.resolveOffset(message.offset);
    }
  }

  private intakeFor(topic: string, partition: number): PartitionIntake {
    const key = `${topic}|${partition}`;
    const current = this.intakes.get(key);
    if (current) return current;
    const intake = new PartitionIntake(topic, partition, this.bounds);
    this.intakes.set(key, intake);
    return intake;
  }

  private holds(intake: PartitionIntake): boolean {
    return !intake.revoked && this.running;
  }

  private pause(intake: PartitionIntake): void {
    if (intake.paused) return;
    intake.paused = true;
    this.paused.add(intake);
    this.consumer.pause([{ topic: intake.topic, partitions: [intake.partition] }]);
  }

  /** Resumes the paused partitions that drained to half, once the process did too. */
  private resumeDrained(): void {
    if (this.paused.size === 0 || this.queued > Math.floor(this.bounds.perProcess / 2)) return;
    for (const intake of this.paused) {
      if (!intake.canResume()) continue;
      intake.paused = false;
      this.paused.delete(intake);
      this.consumer.resume([{ topic: intake.topic, partitions: [intake.partition] }]);
    }
  }

  /** The group is rebalancing: drop what is queued, resume what was paused, keep nothing of this generation. */
  private revokeAll(): void {
    if (this.intakes.size === 0) return;
    for (const intake of this.intakes.values()) intake.revoked = true;
    const dropped = this.lanes.drop((d) => d.intake.revoked);
    if (this.paused.size > 0) {
      this.consumer.resume(
        [...this.paused].map(({ topic, partition }) => ({ topic, partitions: [partition] })),
      );
      this.paused.clear();
    }
    this.intakes.clear();
    this.queued = 0;
    this.logger.info({ groupId: this.options.groupId, dropped }, 'rebalance: queued messages dropped');
  }

  /** A seek kafkajs may still apply to a partition held again is replaced by one to a safe restart point. */
  private undoStaleSeeks(assignment: Record<string, number[]>): void {
    for (const [key, offset] of this.pendingSeeks) {
      const cut = key.lastIndexOf('|');
      const topic = key.slice(0, cut);
      const partition = Number(key.slice(cut + 1));
      if (assignment[topic]?.includes(partition)) {
        this.consumer.seek({ topic, partition, offset: String(offset) });
      }
    }
  }

  /** Reads a partition again from `offset` (deferred messages of a user whose lane has room now). */
  private seekBack(intake: PartitionIntake, offset: number): void {
    const key = `${intake.topic}|${intake.partition}`;
    const safe = intake.restartPoint();
    const before = this.pendingSeeks.get(key);
    if (safe !== undefined) this.pendingSeeks.set(key, before === undefined ? safe : Math.min(before, safe));
    this.consumer.seek({ topic: intake.topic, partition: intake.partition, offset: String(offset) });
    intake.soughtTo(offset);
  }

  /** Messages of one lane to their end: handled or dead-lettered, then their offsets counted as finished. */
  private async deliver(ds: Delivery[]): Promise<void> {
    const { intake } = ds[0];
    if (!this.holds(intake)) return; // queued before a rebalance: the partition's owner reads it again
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
        if (!this.holds(intake)) return;
        await sleep(REDELIVERY_PAUSE_MS);
      }
    }
    for (const d of ds) intake.finish(Number(d.message.offset), d.key);
    // Finished after a rebalance: not committed (the new owner reads it again), nothing resumed or sought.
    if (intake.revoked) return;
    this.queued -= ds.length;
    const point = intake.commitPoint();
    if (point !== undefined && point > intake.committed) this.commit(intake, point);
    const from = intake.rereadFrom();
    if (from !== undefined && this.running) this.seekBack(intake, from);
    if (this.running) this.resumeDrained();
  }

  private batchHandlerOf(d: Delivery): BatchHandler<TopicName> | undefined {
    return this.options.batchHandlers?.[d.topic as TopicName] as BatchHandler<TopicName> | undefined;
  }

  /** Commits in order per partition; nothing is committed for a partition revoked since. */
  private commit(intake: PartitionIntake, offset: number): void {
    const { topic, partition } = intake;
    intake.commits = intake.commits.then(async () => {
      if (offset <= intake.committed || intake.revoked) return;
      try {
        await this.consumer.commitOffsets([{ topic, partition, offset: String(offset) }]);
        intake.committed = offset;
      } catch (error) {
        // Not committed: after a restart or rebalance the messages are read again (handlers are idempotent).
        this.logger.warn({ topic, partition, offset, err: error }, 'offset not committed');
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
