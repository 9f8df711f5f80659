import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractError, decode, TOPICS } from '@core-email/contracts';
import { finishesWithin, KAFKA, LOGGER } from '@core-email/platform';
import { EventStreams } from './event-streams';

/** The topics whose events go to the browser, and the SSE event name each becomes. */
const FORWARDED = { [TOPICS.emailAck]: 'sync', [TOPICS.notifyUserMutateEmail]: 'mail' } as const;
type ForwardedTopic = keyof typeof FORWARDED;
/** Joining while Kafka is down: the first retry after 1 s, doubling up to 30 s. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Reads `email_ack` and `notify_user_mutate_email` and hands each event to its user's streams on this
 * replica. Every replica has a consumer group of its own (fan-out): a user's browser may be connected to
 * any replica, so each one must see every event.
 *
 * Not the platform's TopicConsumer on purpose: that one dead-letters malformed messages and commits
 * offsets, which is right for the one group that owns a topic's work. Here every replica reads every
 * message, so a dead letter would be written once per replica, and committed offsets would only keep
 * throw-away groups alive in the broker. A live view needs neither: a malformed event is logged and
 * dropped, and a restarted replica starts at the newest events (`fromBeginning: false`).
 */
@Injectable()
export class EventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly groupId = `core-email-producer-events-${randomUUID()}`;
  private readonly consumer: Consumer;
  /** Resolves once the group holds its partitions and has fetched: events published after it arrive. */
  readonly ready: Promise<void>;
  private readonly stopping = new AbortController();
  private starting?: Promise<void>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly streams: EventStreams,
  ) {
    this.consumer = kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
    this.ready = new Promise((resolve) => this.consumer.on(this.consumer.events.FETCH, () => resolve()));
  }

  onApplicationBootstrap(): void {
    // The API serves without Kafka (review M4): live events join in the background, retrying until Kafka
    // is reachable, instead of holding up the start (and sign-up, log-in and reads with it).
    this.starting = this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    let delay = RETRY_FIRST_MS;
    while (!this.stopping.signal.aborted) {
      try {
        await this.consumer.connect();
        await this.consumer.subscribe({ topics: Object.keys(FORWARDED), fromBeginning: false });
        await this.consumer.run({ autoCommit: false, eachMessage: async (payload) => this.forward(payload) });
        return; // from here kafkajs itself rejoins after a broker outage
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.logger.warn({ err: error, retryInMs: delay }, 'live events: Kafka not reachable; retrying');
        await this.consumer.disconnect().catch(() => undefined);
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await finishesWithin(this.starting ?? Promise.resolve(), 5_000);
    // Bounded: kafkajs can wait long on a recovering broker, and a shutdown must not hang on it.
    await finishesWithin(this.consumer.disconnect(), 10_000);
  }

  private forward({ topic, partition, message }: EachMessagePayload): void {
    const name = topic as ForwardedTopic;
    try {
      // The user id decides who gets the event; it is not repeated to the browser that already knows it.
      const { userId, ...event } = decode(name, message.value);
      this.streams.send(userId, FORWARDED[name], event);
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      this.logger.warn({ topic, partition, offset: message.offset, error: error.message }, 'event dropped');
    }
  }
}
