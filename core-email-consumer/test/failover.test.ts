import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterNodes, REDIS_CLUSTER } from '@core-email/platform';
import { eventually, requestJson } from '@core-email/platform/testing';
import type { Cluster } from 'ioredis';
import { RunningConsumer, startConsumer } from './support/app';
import { stackUp, stopKafka, stopRedisNode } from './support/stack';

// These tests stop real parts of the local stack and bring them back with `stack:up`.

let consumer: RunningConsumer;

const health = () => requestJson(`${consumer.url}/health`);
const redisDetails = (body: { info?: Record<string, unknown>; error?: Record<string, unknown> }) =>
  (body.info?.redis_cluster ?? body.error?.redis_cluster) as {
    status: string;
    state?: string;
    failedNodes?: string[];
    masters?: number;
    replicas?: number;
  };

before(async () => {
  consumer = await startConsumer();
});

after(async () => {
  await stackUp();
  await consumer?.app.close();
});

test('the consumer health endpoint lists the primary, the replica, the Redis cluster and Kafka', async () => {
  const res = await health();
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body.info).sort(), [
    'kafka',
    'postgres_primary',
    'postgres_replica',
    'redis_cluster',
  ]);
});

test('stopping a Redis master: the cluster fails over, health says so, and recovers after stack:up', async () => {
  const redis = consumer.app.get<Cluster>(REDIS_CLUSTER);
  const master = parseClusterNodes((await redis.cluster('NODES')) as string).find(
    (n) => n.role === 'master' && !n.failed,
  )!;
  stopRedisNode(Number(master.address.split(':')[1]));

  const degraded = await eventually(
    async () => {
      const res = await health();
      const r = redisDetails(res.body);
      // Failover is done when the dead master is flagged failed and a replica has taken its slots.
      return res.status === 200 &&
        r?.state === 'ok' &&
        r.masters === 3 &&
        r.failedNodes?.includes(master.address)
        ? r
        : undefined;
    },
    60_000,
    'failover reported by /health',
  );
  assert.equal(degraded.replicas, 2);

  await stackUp();
  const healed = await eventually(
    async () => {
      const r = redisDetails((await health()).body);
      return r?.state === 'ok' && r.failedNodes?.length === 0 && r.replicas === 3 ? r : undefined;
    },
    60_000,
    'recovery reported by /health',
  );
  assert.equal(healed.status, 'up');
  assert.equal(await redis.set('failover:check', '1', 'EX', 10), 'OK');
});

test('stopping Kafka: health reports it down, and up again after restart', async () => {
  stopKafka();
  const down = await eventually(
    async () => {
      const res = await health();
      return res.status === 503 && res.body.error?.kafka?.status === 'down' ? res.body : undefined;
    },
    60_000,
    'kafka down in /health',
  );
  assert.equal(down.status, 'error');
  assert.equal(down.info.postgres_primary.status, 'up', 'the other parts are still reported up');

  await stackUp();
  await eventually(async () => (await health()).status === 200, 60_000, 'kafka back in /health');
});
