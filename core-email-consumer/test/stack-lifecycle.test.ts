import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { stackEnv } from '@core-email/platform/testing';
import { stackDown, stackUp } from './support/stack';

const REPO = resolve(__dirname, '..', '..', '..');

/** Processes the stack owns: everything whose command line names the repository's .data or its Redis ports. */
function stackProcesses(): string[] {
  const redisPorts = (process.env.STACK_REDIS_PORTS ?? '17001 17002 17003 17004 17005 17006')
    .split(/\s+/)
    .filter(Boolean);
  const patterns = [
    `${REPO}/.data`,
    `${REPO}/graph-emulator/dist/src/main.js`,
    ...redisPorts.map((p) => `redis-server 127.0.0.1:${p}`),
  ];
  return patterns.flatMap((p) => {
    try {
      return execFileSync('pgrep', ['-af', p], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter((l) => !l.includes('pgrep'));
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  });
}

/** Is something else (the machine's own PostgreSQL or Redis) answering on this port? */
function answers(port: number): boolean {
  try {
    execFileSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function withPrimary<T>(work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: stackEnv(process.env).DB_PRIMARY_URL });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

test('stack:down stops exactly the stack and a second stack:up reuses its data', async () => {
  const marker = `lifecycle-${randomUUID()}@example.test`;
  await withPrimary((db) =>
    db.query(`INSERT INTO users (email, user_name, password_hash) VALUES ($1, 'x', 'x')`, [marker]),
  );
  const othersBefore = [5432, 6379].filter(answers);
  const kafkaClusterId = execFileSync('cat', [`${REPO}/.data/kafka/cluster.id`], { encoding: 'utf8' });

  await stackDown();
  assert.deepEqual(stackProcesses(), [], 'no process of the stack is left running');
  assert.deepEqual(
    [5432, 6379].filter(answers),
    othersBefore,
    'services the stack did not start keep running',
  );

  await stackUp();
  const rows = await withPrimary((db) => db.query('SELECT 1 FROM users WHERE email = $1', [marker]));
  assert.equal(rows.rowCount, 1, 'PostgreSQL kept its data');
  assert.equal(
    execFileSync('cat', [`${REPO}/.data/kafka/cluster.id`], { encoding: 'utf8' }),
    kafkaClusterId,
    'Kafka was not re-formatted',
  );
  const status = JSON.parse(
    execFileSync('bash', [`${REPO}/scripts/stack/stack.sh`, 'status', '--json'], { encoding: 'utf8' }),
  );
  assert.equal(
    status.postgres.primary.ok && status.postgres.replica.ok && status.redis.ok && status.kafka.ok,
    true,
  );
});
