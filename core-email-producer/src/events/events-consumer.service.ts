import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ContractError, decode, TOPICS } from '@core-email/contracts';
import { KAFKA, LOGGER } from '@core-email/platform';
import { EventStreams } from './event-streams';

/** The topics whose events go to the browser, and the SSE event name each becomes. */
const FORWARDED = { [TOPICS.emailAck]: 'sync', [TOPICS.notifyUserMutateEmail]: 'mail' } as const;
type ForwardedTopic = keyof typeof FORWARDED;

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

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly streams: EventStreams,
  ) {
    this.consumer = kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
    this.ready = new Promise((resolve) => this.consumer.on(this.consumer.events.FETCH, () => resolve()));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: Object.keys(FORWARDED), fromBeginning: false });
    await this.consumer.run({ autoCommit: false, eachMessage: async (payload) => this.forward(payload) });
  }

  async onApplicationShutdown(): Promise<void> {
    // Bounded: kafkajs can wait long on a recovering broker, and a shutdown must not hang on it.
    const timeout = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([this.consumer.disconnect(), timeout]);
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
