// One feature module of the consumer with the real platform (PostgreSQL, Redis cluster, Kafka), wired as the
// consumer wires it, but joining no consumer group: tests drive the feature's services themselves.
import { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { MessageOf, TopicName } from '@core-email/contracts';
import { KAFKA, KafkaPublisher, parseEnv, PUBLISHER, runMigrations } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import type { Kafka } from 'kafkajs';
import { consumerPlatform } from '../../src/app.module';
import { ConsumerConfig, consumerEnvSchema, toConsumerConfig } from '../../src/config/config';
import { emulatorEnv } from './consumer-process';

export interface Published {
  topic: TopicName;
  message: Record<string, unknown>;
}

/** A publisher that records every message and sends only those of `sent` topics to the broker. */
export class RecordingPublisher extends KafkaPublisher {
  readonly published: Published[] = [];

  constructor(
    kafka: Kafka,
    private readonly sent: ReadonlySet<TopicName> = new Set(),
  ) {
    super(kafka);
  }

  override async publishMany<T extends TopicName>(
    topic: T,
    messages: MessageOf<T>[],
    options?: Parameters<KafkaPublisher['publishMany']>[2],
  ): Promise<void> {
    for (const message of messages)
      this.published.push({ topic, message: message as Record<string, unknown> });
    if (this.sent.has(topic)) await super.publishMany(topic, messages, options);
  }
}

export interface FeatureContext {
  app: INestApplicationContext;
  /** What the feature published; empty when `send` is 'all' (the real publisher is used). */
  published: Published[];
}

/**
 * The context of `feature`. By default its publishes are only recorded: other engineers' consumers on the
 * shared broker know nothing of a test's emulator mailboxes. `send` names the topics that still go to Kafka,
 * or 'all' for the real publisher.
 */
export async function startFeatureContext(
  feature: Type | DynamicModule,
  config: ConsumerConfig,
  { send = [] }: { send?: readonly TopicName[] | 'all' } = {},
): Promise<FeatureContext> {
  const builder = Test.createTestingModule({ imports: [consumerPlatform(config), feature] });
  let recording: RecordingPublisher | undefined;
  if (send !== 'all') {
    builder.overrideProvider(PUBLISHER).useFactory({
      inject: [KAFKA],
      factory: (kafka: Kafka) => (recording = new RecordingPublisher(kafka, new Set(send))),
    });
  }
  const app = await builder.compile();
  app.useLogger(false);
  await app.init();
  return { app, published: recording?.published ?? [] };
}

/** The consumer's configuration against the local stack and the emulator at `emulatorUrl`, migrations applied. */
export async function emulatorConsumerConfig(
  emulatorUrl: string,
  overrides: NodeJS.ProcessEnv = {},
): Promise<ConsumerConfig> {
  const env = { ...stackEnv(process.env), ...emulatorEnv(emulatorUrl), ...overrides };
  const config = toConsumerConfig(parseEnv(consumerEnvSchema, env));
  await runMigrations(config.infra.database);
  return config;
}
