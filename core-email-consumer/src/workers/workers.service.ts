import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger as Pino } from 'pino';
import {
  KAFKA,
  KafkaPublisher,
  LOGGER,
  ParkedJob,
  ParkedJobs,
  PUBLISHER,
  TopicConsumer,
} from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { TOPIC_HANDLERS, TopicHandler, toBatchHandlerMap, toHandlerMap } from './topic-handler';
import { WorkerMetrics } from './worker-metrics';

/** How often parked jobs (a sync whose mailbox Graph paused) are looked at and re-queued once due. */
const PARKED_EVERY_MS = 1_000;

/**
 * Joins the consumer group once the app is up and leaves it cleanly on shutdown, so partitions move at once.
 * While it consumes, it also puts parked jobs back on their topics when they are due (every replica does;
 * each job is taken by one).
 */
@Injectable()
export class WorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Workers');
  private consumer?: TopicConsumer;
  private parkedTimer?: NodeJS.Timeout;
  private requeuing = false;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Pino,
    @Inject(TOPIC_HANDLERS) private readonly handlers: TopicHandler[],
    private readonly metrics: WorkerMetrics,
    private readonly parked: ParkedJobs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.handlers.length === 0) {
      this.log.warn('no topic handlers registered: not joining the consumer group');
      return;
    }
    this.consumer = new TopicConsumer(
      this.kafka,
      this.publisher,
      toHandlerMap(this.handlers),
      {
        groupId: this.config.env.KAFKA_GROUP_ID,
        retry: this.config.retry,
        keyConcurrency: this.config.env.KAFKA_KEY_CONCURRENCY,
        batchHandlers: toBatchHandlerMap(this.handlers),
        onDeadLetter: (letter) => this.metrics.deadLetter(letter.topic),
        onProcessed: (topic) => this.metrics.processed(topic),
      },
      this.logger,
    );
    await this.consumer.start();
    this.parkedTimer = setInterval(() => void this.requeueParked(), PARKED_EVERY_MS);
    this.parkedTimer.unref();
    this.log.log(`consuming ${this.handlers.map((h) => h.topic).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.parkedTimer);
    await this.consumer?.stop();
  }

  private async requeueParked(): Promise<void> {
    if (this.requeuing) return; // a slow Redis or Kafka must not pile ticks up
    this.requeuing = true;
    try {
      // publish validates the message against its topic's contract, like any other job.
      await this.parked.requeueDue((job: ParkedJob) => this.publisher.publish(job.topic, job.message));
    } catch (err) {
      this.logger.warn({ err }, 'parked jobs not re-queued this time');
    } finally {
      this.requeuing = false;
    }
  }
}
