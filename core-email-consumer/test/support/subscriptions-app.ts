// The consumer's subscriptions module with the real platform (PostgreSQL, Redis cluster, Kafka) but without
// joining the consumer group, and with every publish captured instead of sent: tests drive the handlers
// directly, and nothing they would publish (sync jobs, creation retries) reaches other engineers' consumers.
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { TopicName } from '@core-email/contracts';
import { KafkaPublisher, parseEnv, PlatformModule, PUBLISHER } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import {
  CONSUMER_CONFIG,
  ConsumerConfig,
  consumerEnvSchema,
  toConsumerConfig,
} from '../../src/config/config';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';

export interface Published {
  topic: TopicName;
  message: Record<string, unknown>;
}

export async function startSubscriptionsContext(overrides: NodeJS.ProcessEnv): Promise<{
  app: INestApplicationContext;
  config: ConsumerConfig;
  published: Published[];
}> {
  const config = toConsumerConfig(
    parseEnv(consumerEnvSchema, {
      ...stackEnv(process.env),
      SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
      ...overrides,
    }),
  );
  @Module({})
  class SubscriptionsTestModule {}
  const app = await NestFactory.createApplicationContext(
    {
      module: SubscriptionsTestModule,
      imports: [
        PlatformModule.forRoot({
          config,
          configToken: CONSUMER_CONFIG,
          infra: config.infra,
          logLevel: config.env.LOG_LEVEL,
        }),
        SubscriptionsModule,
      ],
    },
    { logger: false },
  );
  const published = capturePublishes(app.get<KafkaPublisher>(PUBLISHER));
  return { app, config, published };
}

/** Replaces the shared publisher's sends with a list (the one instance every provider was given). */
export function capturePublishes(publisher: KafkaPublisher): Published[] {
  const published: Published[] = [];
  const many = async (topic: TopicName, messages: unknown[]) => {
    for (const message of messages) published.push({ topic, message: message as Record<string, unknown> });
  };
  Object.assign(publisher, {
    publishMany: many,
    publish: (topic: TopicName, message: unknown) => many(topic, [message]),
  });
  return published;
}
