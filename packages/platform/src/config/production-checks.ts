import { ConfigError } from './env';

/**
 * Secrets this repository publishes (compose files, the emulator's app registration, the test stack): anyone
 * can read them, so a production deployment that copied one has none. `config-production.test.ts` checks
 * that every secret in the repository's compose files and test environment is listed here.
 */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  'emulator-client-secret',
  'core_email',
  'compose-demo-jwt-secret-not-for-real-use-000',
  'Y29tcG9zZS1kZW1vLWtleS1ub3QtZm9yLXJlYWwtdXM=',
  'test-jwt-secret-that-is-at-least-32-characters',
  Buffer.alloc(32, 7).toString('base64'),
]);

/** What production needs of a service's configuration, by variable name; each app lists its own. */
export interface ProductionRules {
  /** Variables holding one secret each. */
  secrets?: string[];
  /** Variables holding `keyId:base64key` lists (the keys must be random bytes nobody else has). */
  keyLists?: string[];
  /** Variables holding one public URL, or a list of them: https, and not this machine. */
  publicUrls?: string[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0']);

function urlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${raw} is not a URL`;
  }
  if (url.protocol !== 'https:') return `${raw} must be https in production`;
  if (LOCAL_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost')) {
    return `${raw} names this machine; production needs the address users and Microsoft reach`;
  }
  return undefined;
}

/** Random key bytes are almost never all printable text; a typed phrase always is. */
function looksTyped(key: Buffer): boolean {
  return key.every((b) => b >= 0x20 && b < 0x7f) || new Set(key).size < 8;
}

function keyProblem(pair: string): string | undefined {
  const material = pair.slice(pair.indexOf(':') + 1);
  if (PUBLISHED_SECRETS.has(material)) return `key ${pair.split(':')[0]} is published in this repository`;
  if (looksTyped(Buffer.from(material, 'base64'))) {
    return `key ${pair.split(':')[0]} is not random bytes (generate it with \`openssl rand -base64 32\`)`;
  }
  return undefined;
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? value.split(',').filter(Boolean) : [];
}

/**
 * With NODE_ENV=production, refuses what makes a deployment open to anyone who read this repository: a
 * published or typed secret, a plain-http or local public URL, Kafka topics kept in one copy. Throws a
 * ConfigError naming each variable; in development and test everything is allowed.
 */
export function assertProductionReady(env: Record<string, unknown>, rules: ProductionRules): void {
  if (env.NODE_ENV !== 'production') return;
  const problems: string[] = [];
  for (const name of rules.secrets ?? []) {
    if (PUBLISHED_SECRETS.has(String(env[name] ?? ''))) {
      problems.push(
        `${name}: is a value published in this repository; generate your own (openssl rand -base64 32)`,
      );
    }
  }
  for (const name of rules.keyLists ?? []) {
    for (const pair of asList(env[name])) {
      const problem = keyProblem(pair);
      if (problem) problems.push(`${name}: ${problem}`);
    }
  }
  for (const name of rules.publicUrls ?? []) {
    for (const url of asList(env[name])) {
      const problem = urlProblem(url);
      if (problem) problems.push(`${name}: ${problem}`);
    }
  }
  for (const name of ['DB_PRIMARY_URL', 'DB_REPLICA_URLS']) {
    if (asList(env[name]).some((url) => PUBLISHED_SECRETS.has(decodeURIComponent(new URL(url).password)))) {
      problems.push(`${name}: its password is published in this repository`);
    }
  }
  if (Number(env.KAFKA_REPLICATION_FACTOR) < 2) {
    problems.push(
      'KAFKA_REPLICATION_FACTOR: 1 copy of each job is lost with its broker; production needs ≥ 2 (3 advised)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
