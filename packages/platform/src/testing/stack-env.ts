import { setTimeout as sleep } from 'node:timers/promises';
/**
 * The environment integration tests boot the services with: the local stack's addresses (the same defaults
 * as scripts/local-env.sh), overridable by the caller's environment.
 */
/** The graph emulator's default app registration (graph-emulator/README.md), on the stack's emulator port. */
export function emulatorMicrosoft(env: NodeJS.ProcessEnv) {
  const origin = `localhost:${env.STACK_EMULATOR_PORT ?? 8443}`;
  return {
    MS_AUTHORITY: `https://${origin}/9188040d-6c67-4c5b-b112-36a304b66dad`,
    MS_KNOWN_AUTHORITIES: origin,
    MS_CLIENT_ID: '6731de76-14a6-49ae-97bc-6eba6914391e',
    MS_CLIENT_SECRET: 'emulator-client-secret',
    GRAPH_BASE_URL: `https://${origin}/v1.0`,
  };
}

export function stackEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const redisPorts = (env.STACK_REDIS_PORTS ?? '17001 17002 17003 17004 17005 17006')
    .split(/\s+/)
    .filter(Boolean);
  return {
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    DB_PRIMARY_URL: `postgres://core_email:core_email@127.0.0.1:${env.STACK_PG_PRIMARY_PORT ?? 55432}/core_email`,
    DB_REPLICA_URLS: `postgres://core_email:core_email@127.0.0.1:${env.STACK_PG_REPLICA_PORT ?? 55433}/core_email`,
    REDIS_CLUSTER_NODES: redisPorts.map((p) => `127.0.0.1:${p}`).join(','),
    KAFKA_BROKERS: `127.0.0.1:${env.STACK_KAFKA_PORT ?? 19092}`,
    ...emulatorMicrosoft(env),
    JWT_SECRET: 'test-jwt-secret-that-is-at-least-32-characters',
    TOKEN_ENCRYPTION_KEYS: `test-1:${Buffer.alloc(32, 7).toString('base64')}`,
    ...pick(env, ['DB_PRIMARY_URL', 'DB_REPLICA_URLS', 'REDIS_CLUSTER_NODES', 'KAFKA_BROKERS', 'LOG_LEVEL']),
  };
}

function pick(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.filter((n) => env[n]).map((n) => [n, env[n]]));
}

/**
 * Polls `probe` every `everyMs` until it returns a truthy value or the deadline passes; a probe that throws
 * counts as "not yet" (its last error is in the timeout's message). The one polling helper of the tests and
 * benchmarks.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
  what = 'condition',
  everyMs = 250,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not reached within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}
