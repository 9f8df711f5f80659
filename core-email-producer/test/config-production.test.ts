// A deployment that copied this repository's secrets, or left its public URLs on this machine, is open to
// anyone who read the repository: with NODE_ENV=production both services refuse to start, naming each
// variable. Pure configuration: no stack needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, PUBLISHED_SECRETS } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { loadProducerConfig, producerEnvSchema } from '../src/config/config';

/** This file runs as core-email-producer/dist/test/config-production.test.js. */
const REPO = resolve(__dirname, '..', '..', '..');

/** The consumer is another TypeScript project: its compiled config module, as compose.test.ts loads it. */
const consumerConfig = createRequire(__filename)(
  join(REPO, 'core-email-consumer/dist/src/config/config.js'),
) as {
  consumerEnvSchema: { shape: object };
  loadConsumerConfig(env: NodeJS.ProcessEnv): unknown;
};
const loadConsumerConfig = (env: NodeJS.ProcessEnv) => consumerConfig.loadConsumerConfig(env);

function problemsOf(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (error) {
    assert.ok(error instanceof Error && error.name === 'ConfigError', `not a ConfigError: ${String(error)}`);
    return (error as ConfigError).problems;
  }
}

/** Each of `names` has a problem of its own, starting with the variable's name. */
function assertNamed(problems: string[], names: string[]): void {
  for (const name of names) {
    assert.ok(
      problems.some((p) => p.startsWith(`${name}:`)),
      `${name} not named in: ${problems.join('; ')}`,
    );
  }
}

/** What an operator who followed the README would set. */
function ownProductionEnv(): NodeJS.ProcessEnv {
  return {
    ...stackEnv({}),
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    MS_CLIENT_SECRET: randomBytes(24).toString('base64url'),
    TOKEN_ENCRYPTION_KEYS: `prod-1:${randomBytes(32).toString('base64')}`,
    MS_REDIRECT_URI: 'https://mail.example.com/api/user/outlook/redirect',
    DASHBOARD_URL: 'https://mail.example.com',
    CORS_ORIGINS: 'https://mail.example.com',
    PUBLIC_BASE_URL: 'https://mail.example.com',
    KAFKA_REPLICATION_FACTOR: '3',
    DB_PRIMARY_URL: 'postgres://core_email:s3cret-of-the-operator@db-primary:5432/core_email',
    DB_REPLICA_URLS: 'postgres://core_email:s3cret-of-the-operator@db-replica:5432/core_email',
  };
}

test('in production the producer refuses published secrets, typed keys, local URLs and one Kafka copy', () => {
  const problems = problemsOf(() => loadProducerConfig({ ...stackEnv({}), NODE_ENV: 'production' }));
  assertNamed(problems, [
    'JWT_SECRET',
    'MS_CLIENT_SECRET',
    'TOKEN_ENCRYPTION_KEYS',
    'MS_REDIRECT_URI',
    'DASHBOARD_URL',
    'CORS_ORIGINS',
    'KAFKA_REPLICATION_FACTOR',
    'DB_PRIMARY_URL',
    'DB_REPLICA_URLS',
  ]);
  const typedKey = `typed:${Buffer.from('a passphrase typed by a person!!').toString('base64')}`;
  const typed = problemsOf(() =>
    loadProducerConfig({ ...ownProductionEnv(), TOKEN_ENCRYPTION_KEYS: typedKey }),
  );
  assert.deepEqual(typed, [
    'TOKEN_ENCRYPTION_KEYS: key typed is not random bytes (generate it with `openssl rand -base64 32`)',
  ]);
  const plainHttp = problemsOf(() =>
    loadProducerConfig({ ...ownProductionEnv(), DASHBOARD_URL: 'http://mail.example.com' }),
  );
  assert.deepEqual(plainHttp, ['DASHBOARD_URL: http://mail.example.com must be https in production']);
});

test('in production the consumer refuses the published secrets and a local webhook address', () => {
  const problems = problemsOf(() =>
    loadConsumerConfig({ ...stackEnv({}), NODE_ENV: 'production', PUBLIC_BASE_URL: 'http://localhost:3000' }),
  );
  assertNamed(problems, [
    'MS_CLIENT_SECRET',
    'TOKEN_ENCRYPTION_KEYS',
    'PUBLIC_BASE_URL',
    'KAFKA_REPLICATION_FACTOR',
    'DB_PRIMARY_URL',
    'DB_REPLICA_URLS',
  ]);
});

test("an operator's own secrets and public https URLs start in production; development allows the demo values", () => {
  assert.deepEqual(
    problemsOf(() => loadProducerConfig(ownProductionEnv())),
    [],
  );
  assert.deepEqual(
    problemsOf(() => loadConsumerConfig(ownProductionEnv())),
    [],
  );
  assert.deepEqual(
    problemsOf(() => loadProducerConfig({ ...stackEnv({}), NODE_ENV: 'development' })),
    [],
  );
});

test('every secret this repository publishes for the services is one production refuses', () => {
  const published: string[] = [];
  const secretName = /SECRET|KEYS|PASSWORD|TOKEN|_URL/;
  const appVariables = new Set([
    ...Object.keys(producerEnvSchema.shape),
    ...Object.keys(consumerConfig.consumerEnvSchema.shape),
  ]);
  for (const file of readdirSync(REPO).filter((f) => /^docker-compose.*\.ya?ml$/.test(f))) {
    const doc = parse(readFileSync(join(REPO, file), 'utf8'), { merge: true }) as Record<string, unknown>;
    const blocks = [
      ...Object.entries(doc)
        .filter(([k]) => k.startsWith('x-'))
        .map(([, v]) => v),
      ...Object.values((doc.services ?? {}) as Record<string, { environment?: unknown }>).map(
        (s) => s.environment,
      ),
    ];
    for (const block of blocks) {
      if (!block || typeof block !== 'object' || Array.isArray(block)) continue;
      for (const [name, value] of Object.entries(block)) {
        if (!appVariables.has(name) || !secretName.test(name) || typeof value !== 'string') continue;
        if (value.includes('${')) continue; // taken from the operator's .env
        if (!/_URLS?$/.test(name)) published.push(value);
        else if (value.startsWith('postgres'))
          published.push(...value.split(',').map((u) => new URL(u).password));
      }
    }
  }
  const env = stackEnv({});
  published.push(env.JWT_SECRET!, env.MS_CLIENT_SECRET!, env.TOKEN_ENCRYPTION_KEYS!);
  assert.ok(published.length >= 5, `secrets found: ${published.length}`);
  for (const value of published) {
    const parts = /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]+$/.test(value)
      ? [value.slice(value.indexOf(':') + 1)]
      : [value];
    for (const part of parts) assert.ok(PUBLISHED_SECRETS.has(part), `${part} is published but not refused`);
  }
});
