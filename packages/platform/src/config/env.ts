import { z, ZodTypeAny } from 'zod';
import { describeIssue } from '@core-email/contracts';

/** A configuration variable that is missing or malformed. Start-up stops with this message. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port')
  .transform((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  });

/** A comma-separated list, each item checked by `item`. */
export function csv<T extends ZodTypeAny>(item: T) {
  return z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item));
}

/** A `true`/`false` variable (anything else is an error, not false), `byDefault` when unset. */
export function booleanFlag(byDefault: boolean) {
  return z
    .enum(['true', 'false'])
    .default(byDefault ? 'true' : 'false')
    .transform((v) => v === 'true');
}

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'expected a postgres:// URL');

/** The variables every service shares: where PostgreSQL, the Redis cluster and Kafka are, and logging. */
export const infraEnvShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_PRIMARY_URL: postgresUrl,
  DB_REPLICA_URLS: csv(postgresUrl).default(''),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_CLUSTER_NODES: csv(hostPort).pipe(z.array(z.any()).min(1, 'at least one host:port')),
  REDIS_KEY_PREFIX: z.string().max(64).default(''),
  KAFKA_BROKERS: csv(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port')).pipe(
    z.array(z.string()).min(1, 'at least one host:port'),
  ),
  KAFKA_CLIENT_ID: z.string().min(1).max(100).optional(),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
};

/** Parses `env` with `schema`, naming every bad variable at once. */
export function parseEnv<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  env: NodeJS.ProcessEnv,
): z.infer<S> {
  // An empty string means "not set", so defaults apply and required variables are reported as missing.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      // The variable, not the item of a list inside it: the operator sets variables.
      const variable = { path: issue.path.slice(0, 1), message: issue.message };
      const missing = issue.code === 'invalid_type' && issue.received === 'undefined';
      return missing ? `${String(variable.path[0])} is required` : describeIssue(variable, '(env)');
    }),
  );
}
