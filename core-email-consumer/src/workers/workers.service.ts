import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger as Pino } from 'pino';
import { KAFKA, KafkaPublisher, LOGGER, PUBLISHER, TopicConsumer } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { TOPIC_HANDLERS, TopicHandler, toBatchHandlerMap, toHandlerMap } from './topic-handler';
import { WorkerMetrics } from './worker-metrics';

/** Joins the consumer group once the app is up and leaves it cleanly on shutdown, so partitions move at once. */
@Injectable()
export class WorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Workers');
  private consumer?: TopicConsumer;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Pino,
    @Inject(TOPIC_HANDLERS) private readonly handlers: TopicHandler[],
    private readonly metrics: WorkerMetrics,
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
    this.log.log(`consuming ${this.handlers.map((h) => h.topic).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
