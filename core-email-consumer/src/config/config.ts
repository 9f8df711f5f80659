import { z } from 'zod';
import {
  infraEnvShape,
  InfraSettings,
  infraSettingsFrom,
  microsoftEnvShape,
  parseEnv,
  RetryPolicy,
} from '@core-email/platform';

/** Every variable the consumer reads. `.env.example` lists them all with a comment each. */
export const consumerEnvSchema = z.object({
  ...infraEnvShape,
  ...microsoftEnvShape,
  HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  KAFKA_GROUP_ID: z.string().min(1).max(200).default('core-email-consumer'),
  KAFKA_HANDLER_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  KAFKA_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  KAFKA_RETRY_MAX_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
});

export type ConsumerEnv = z.infer<typeof consumerEnvSchema>;

export interface ConsumerConfig {
  env: ConsumerEnv;
  infra: InfraSettings;
  retry: RetryPolicy;
}

export function toConsumerConfig(env: ConsumerEnv): ConsumerConfig {
  return {
    env,
    infra: infraSettingsFrom('core-email-consumer', env),
    retry: {
      attempts: env.KAFKA_HANDLER_ATTEMPTS,
      initialDelayMs: env.KAFKA_RETRY_INITIAL_MS,
      maxDelayMs: env.KAFKA_RETRY_MAX_MS,
    },
  };
}

/** The one place the consumer reads the environment. Throws ConfigError naming each bad variable. */
export function loadConsumerConfig(source: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  return toConsumerConfig(parseEnv(consumerEnvSchema, source));
}

export const CONSUMER_CONFIG = Symbol('CONSUMER_CONFIG');
