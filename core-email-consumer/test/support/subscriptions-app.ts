// The consumer's subscriptions module with the real platform (PostgreSQL, Redis cluster, Kafka) but without
// joining the consumer group, and with every publish recorded instead of sent: tests drive the handlers
// directly, and nothing they would publish (sync jobs, creation retries) reaches other engineers' consumers.
import type { INestApplicationContext } from '@nestjs/common';
import { parseEnv } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { ConsumerConfig, consumerEnvSchema, toConsumerConfig } from '../../src/config/config';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module';
import { Published, startFeatureContext } from './feature-context';

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
  const { app, published } = await startFeatureContext(SubscriptionsModule, config);
  return { app, config, published };
}
