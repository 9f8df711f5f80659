// docker-compose.prod.yml, read as Docker Compose would (no Docker engine here): what it publishes, where its
// secrets come from, which network each part is on, and whether each app, given a .env from
// scripts/production-env.sh and an operator's own values, passes its production start-up checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PUBLISHED_SECRETS } from '@core-email/platform';
import { loadProducerConfig } from '../src/config/config';

/** This file runs as core-email-producer/dist/test/compose-production.test.js. */
const REPO = resolve(__dirname, '..', '..', '..');

interface Service {
  environment?: Record<string, unknown>;
  ports?: string[];
  networks?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean } | null>;
}

const compose = parse(readFileSync(join(REPO, 'docker-compose.prod.yml'), 'utf8'), {
  merge: true,
}) as ComposeFile;

/** What the generator prints, plus what it leaves to the operator. */
function operatorEnv(): Record<string, string> {
  const generated = execFileSync('bash', [join(REPO, 'scripts/production-env.sh')], { encoding: 'utf8' });
  const env: Record<string, string> = {};
  for (const line of generated.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m && m[2] !== '') env[m[1]] = m[2];
  }
  return {
    ...env,
    MS_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    MS_CLIENT_SECRET: 'an-entra-generated-client-secret-value',
    PUBLIC_API_URL: 'https://api.mail.example.com',
    PUBLIC_DASHBOARD_URL: 'https://mail.example.com',
  };
}

/** Compose's interpolation: ${VAR}, ${VAR:?message} (required) and ${VAR:-default}. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g,
    (_, name: string, op?: string, arg?: string) => {
      if (env[name] !== undefined && env[name] !== '') return env[name];
      if (op === '?') throw new Error(`${name} is required: ${arg}`);
      return op === '-' ? (arg ?? '') : '';
    },
  );
}

function environmentOf(name: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const raw = compose.services[name].environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]));
}

test('only the dashboard and the API are published; no emulator, no Kafka UI', () => {
  const published = Object.entries(compose.services)
    .filter(([, s]) => (s.ports ?? []).length > 0)
    .map(([name, s]) => `${name} ${s.ports!.join(',')}`)
    .sort();
  assert.deepEqual(published, ['core-email-frontend 4173:4173', 'core-email-producer 3000:3000']);
  assert.ok(!Object.keys(compose.services).some((n) => /emulator|kafka-ui/.test(n)));
});

test('PostgreSQL, Redis and Kafka are only on the internal network, which has no route out', () => {
  assert.equal(compose.networks.internal?.internal, true);
  for (const [name, service] of Object.entries(compose.services)) {
    if (/^(postgres|redis|kafka)/.test(name)) assert.deepEqual(service.networks, ['internal'], name);
  }
});

test("every secret comes from the operator's .env, none is written in the file", () => {
  let checked = 0;
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (!/SECRET|PASSWORD|KEYS/.test(key) && !String(value).startsWith('postgres://')) continue;
      assert.match(String(value), /\$\{[A-Z_]+:\?/, `${name}.${key} must come from the .env`);
      checked++;
    }
  }
  assert.ok(checked >= 8, `secrets checked: ${checked}`);
});

test('with a generated .env, the producer and the consumer pass their production checks', () => {
  const env = operatorEnv();
  for (const key of ['POSTGRES_PASSWORD', 'JWT_SECRET', 'TOKEN_ENCRYPTION_KEYS']) {
    assert.ok(env[key] && !PUBLISHED_SECRETS.has(env[key]), key);
  }
  assert.notEqual(operatorEnv().JWT_SECRET, env.JWT_SECRET, 'each run generates new secrets');
  const producer = loadProducerConfig(environmentOf('core-email-producer', env));
  assert.equal(producer.env.NODE_ENV, 'production');
  assert.equal(producer.env.MS_REDIRECT_URI, 'https://api.mail.example.com/api/user/outlook/redirect');
  const consumerConfig = createRequire(__filename)(
    join(REPO, 'core-email-consumer/dist/src/config/config.js'),
  ) as {
    loadConsumerConfig(env: NodeJS.ProcessEnv): { env: { PUBLIC_BASE_URL?: string } };
  };
  const consumer = consumerConfig.loadConsumerConfig(environmentOf('core-email-consumer', env));
  assert.equal(consumer.env.PUBLIC_BASE_URL, 'https://api.mail.example.com');
  assert.throws(
    () => environmentOf('core-email-producer', { ...env, JWT_SECRET: '' }),
    /JWT_SECRET is required/,
  );
});
