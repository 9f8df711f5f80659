import { z } from 'zod';
import {
  csv,
  infraEnvShape,
  InfraSettings,
  infraSettingsFrom,
  assertProductionReady,
  microsoftEnvShape,
  parseEnv,
} from '@core-email/platform';

const TRUST_PROXY_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?)$/;

/** Every variable the producer reads. `.env.example` lists them all with a comment each. */
export const producerEnvSchema = z.object({
  ...infraEnvShape,
  ...microsoftEnvShape,
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  CORS_ORIGINS: csv(z.string().url()).default('http://localhost:4173,http://localhost:5173'),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'expected e.g. 100kb or 1mb')
    .default('100kb'),
  DASHBOARD_URL: z.string().url().default('http://localhost:4173'),
  // Express's `trust proxy`: a hop count (1 = the one load balancer in front), true/false, or a list of
  // addresses, CIDRs and the names loopback, linklocal, uniquelocal. The client address rate limits count by.
  TRUST_PROXY: z
    .string()
    .min(1)
    .default('loopback')
    .refine(
      (v) => /^(\d+|true|false)$/.test(v) || v.split(',').every((t) => TRUST_PROXY_ENTRY.test(t.trim())),
      'expected a hop count, true, false, or addresses/CIDRs/loopback/linklocal/uniquelocal, comma-separated',
    )
    .transform((v): boolean | number | string =>
      /^\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v,
    ),
  JWT_SECRET: z.string().min(32, 'at least 32 characters'),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86400)
    .default(3600),
  THROTTLE_AUTH_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  THROTTLE_AUTH_TTL_SECONDS: z.coerce.number().int().min(1).max(86400).default(60),
  MAIL_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  MAIL_CACHE_TIMEOUT_MS: z.coerce.number().int().min(10).max(5000).default(200),
  // Deadline of every other Redis call a request waits on (session check, sign-in, throttler, OAuth state):
  // past it the answer is 503 with Retry-After. Kept well under 2 s so no request waits out a failover.
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1000),
  // A requested completeness audit still pending after this long is taken as lost: a new request queues one.
  AUDIT_REQUEST_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3_600),
});

export type ProducerEnv = z.infer<typeof producerEnvSchema>;

export interface ProducerConfig {
  env: ProducerEnv;
  infra: InfraSettings;
}

export function toProducerConfig(env: ProducerEnv): ProducerConfig {
  return {
    env,
    // The API serves without Kafka and its health is public (see InfraSettings).
    infra: { ...infraSettingsFrom('core-email-producer', env), kafkaOptional: true, publicHealth: true },
  };
}

/** The one place the producer reads the environment. Throws ConfigError naming each bad variable. */
export function loadProducerConfig(source: NodeJS.ProcessEnv = process.env): ProducerConfig {
  const env = parseEnv(producerEnvSchema, source);
  assertProductionReady(env, {
    secrets: ['JWT_SECRET', 'MS_CLIENT_SECRET'],
    keyLists: ['TOKEN_ENCRYPTION_KEYS'],
    publicUrls: ['MS_REDIRECT_URI', 'DASHBOARD_URL', 'CORS_ORIGINS'],
  });
  return toProducerConfig(env);
}

export const PRODUCER_CONFIG = Symbol('PRODUCER_CONFIG');
