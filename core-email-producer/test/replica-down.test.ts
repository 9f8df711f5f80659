// The replica stopped under a running producer (as when it crashes or restarts): the read API answers from the
// primary, never a 5xx. It stops the real replica of the local stack and brings it back with `stack:up`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
import { DataSource } from 'typeorm';
import { recordMailWrite, REDIS_CLUSTER } from '@core-email/platform';
import { eventually } from '@core-email/platform/testing';
import { RunningProducer, startProducer } from './support/app';
import { insertEmails } from './support/mail';
import { apiClient, ApiClient, newUser } from './support/users';

// dist/test → repository root
const REPO = resolve(__dirname, '..', '..', '..');
const run = promisify(execFile);

let producer: RunningProducer;
let api: ApiClient;

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
});

after(async () => {
  await producer?.app.close();
  await run('bash', [resolve(REPO, 'scripts/stack/stack.sh'), 'up'], { timeout: 240_000 });
});

/** Fast shutdown of the replica's postmaster (the pid is the first line of its postmaster.pid). */
function stopReplica(): void {
  const pid = Number(readFileSync(resolve(REPO, '.data/pg/replica/postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGINT');
}

test('the replica down: mail reads are answered by the primary, never a 5xx', async () => {
  const db = producer.app.get(DataSource);
  const user = await newUser(api);
  await insertEmails(db, user.id, 3);
  stopReplica();
  await eventually(
    async () => {
      const replica = db.createQueryRunner('slave');
      try {
        await replica.query('SELECT 1');
        return undefined;
      } catch {
        return true;
      } finally {
        await replica.release().catch(() => undefined);
      }
    },
    30_000,
    'the replica to stop',
  );
  // A fresh write mark: the read would go to the replica if it could be reached.
  await recordMailWrite(producer.app.get<Cluster>(REDIS_CLUSTER), db, user.id);
  for (const path of ['/api/mail/messages?limit=2', '/api/mail/folders', '/api/mail/sync']) {
    const res = await api.call('GET', path, undefined, user.token);
    assert.equal(res.status, 200, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const list = await api.call('GET', '/api/mail/messages?limit=5', undefined, user.token);
  assert.equal(list.body.items.length, 3);
});
