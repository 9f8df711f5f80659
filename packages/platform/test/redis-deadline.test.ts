// The rules of withRedisDeadline and readWithReplicaFallback, on a scripted stand-in for the cluster client
// (the real cluster's failover and outage are in core-email-producer/test/redis-faults.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Cluster, Command } from 'ioredis';
import { ReplyError } from 'ioredis';
import { DependencyUnavailable } from '../src/errors/dependency-unavailable';
import { readWithReplicaFallback, withRedisDeadline } from '../src/redis/redis-deadline';

type Reply = { after: number; value?: unknown; error?: Error } | 'hang';

/** A client whose master and replica answer as scripted; `status` can be changed by the test. */
function scripted(master: Reply, replica: Reply = 'hang') {
  const client = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const counts = { master: 0, replica: 0 };
  const settle = (reply: Reply, resolve: (v: unknown) => void, reject: (e: Error) => void) => {
    if (reply === 'hang') return;
    setTimeout(() => (reply.error ? reject(reply.error) : resolve(reply.value)), reply.after);
  };
  Object.assign(client, {
    status: 'ready',
    options: { keyPrefix: '' },
    call: () => {
      counts.master += 1;
      return new Promise((resolve, reject) => settle(master, resolve, reject));
    },
    sendCommand: (command: Command) => {
      counts.replica += 1;
      settle(replica, command.resolve, command.reject);
    },
  });
  return { redis: client as unknown as Cluster, counts };
}

const timing = { deadlineMs: 300, hedgeAfterMs: 30, replicaWins: (v: unknown) => v === 1 };

test('a master that answers in time is the answer; no replica is asked', async () => {
  const { redis, counts } = scripted({ after: 5, value: 1 }, { after: 1, value: 0 });
  assert.equal(await readWithReplicaFallback(redis, timing, 'exists', ['k']), 1);
  assert.equal(counts.replica, 0);
});

test('a master that does not answer: the replica that knows the key answers after hedgeAfterMs', async () => {
  const { redis } = scripted('hang', { after: 1, value: 1 });
  const started = Date.now();
  assert.equal(await readWithReplicaFallback(redis, timing, 'exists', ['k']), 1);
  const ms = Date.now() - started;
  assert.ok(ms >= 25 && ms < 200, `${ms} ms`);
});

test('a replica that does not know the key does not decide while the master may still answer', async () => {
  const slow = scripted({ after: 100, value: 1 }, { after: 1, value: 0 });
  assert.equal(await readWithReplicaFallback(slow.redis, timing, 'exists', ['k']), 1, 'the master decides');

  const gone = scripted({ after: 50, error: new Error('Connection is closed.') }, { after: 1, value: 0 });
  assert.equal(await readWithReplicaFallback(gone.redis, timing, 'exists', ['k']), 0, 'master failed');

  const hung = scripted('hang', { after: 1, value: 0 });
  await assert.rejects(
    readWithReplicaFallback(hung.redis, timing, 'exists', ['k']),
    DependencyUnavailable,
    'nobody could say: 503, not 401',
  );
});

test('nothing answers: DependencyUnavailable(redis) at the deadline, with a Retry-After', async () => {
  const { redis } = scripted('hang', 'hang');
  const started = Date.now();
  await assert.rejects(
    readWithReplicaFallback(redis, timing, 'exists', ['k']),
    (error: unknown) =>
      error instanceof DependencyUnavailable && error.dependency === 'redis' && error.retryAfterSeconds > 0,
  );
  const ms = Date.now() - started;
  assert.ok(ms >= 290 && ms < 600, `${ms} ms`);
});

test('a cluster that is not ready: the call is never made, and it waits at most the deadline', async () => {
  const { redis, counts } = scripted({ after: 1, value: 'OK' });
  (redis as unknown as { status: string }).status = 'reconnecting';
  await assert.rejects(
    withRedisDeadline(redis, 200, () => redis.call('get', 'k')),
    DependencyUnavailable,
  );
  assert.equal(counts.master, 0, 'nothing sent to sit in the offline queue');

  // Ready again within the deadline: the call goes out then.
  setTimeout(() => {
    (redis as unknown as { status: string }).status = 'ready';
    redis.emit('ready');
  }, 50);
  assert.equal(await withRedisDeadline(redis, 500, () => redis.call('get', 'k')), 'OK');
  assert.equal(counts.master, 1);
});

test('a fast connection error is tried again within the deadline; a wrong command is not', async () => {
  let calls = 0;
  const { redis } = scripted({ after: 1, value: 'unused' });
  const flaky = () => {
    calls += 1;
    return calls < 3 ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve('OK');
  };
  assert.equal(await withRedisDeadline(redis, 1000, flaky), 'OK');
  assert.equal(calls, 3);

  const wrongType = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
  let tries = 0;
  await assert.rejects(
    withRedisDeadline(redis, 1000, () => {
      tries += 1;
      return Promise.reject(wrongType);
    }),
    (error: unknown) => error === wrongType,
  );
  assert.equal(tries, 1);
});
