import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { createRedisCluster, parseClusterNodes, RedisNode } from '../src/redis/redis-cluster';
import { stackEnv } from '../src/testing/stack-env';

let cluster: Cluster;

before(() => {
  const nodes: RedisNode[] = stackEnv(process.env)
    .REDIS_CLUSTER_NODES!.split(',')
    .map((hp) => ({ host: hp.split(':')[0], port: Number(hp.split(':')[1]) }));
  cluster = createRedisCluster(nodes);
});

after(() => cluster.disconnect());

test('the cluster is ok with 3 masters and 3 replicas covering all 16,384 slots', async () => {
  const info = (await cluster.cluster('INFO')) as string;
  assert.match(info, /cluster_state:ok/);
  assert.match(info, /cluster_slots_assigned:16384/);
  assert.match(info, /cluster_slots_ok:16384/);
  const nodes = parseClusterNodes((await cluster.cluster('NODES')) as string).filter((n) => !n.failed);
  assert.equal(nodes.filter((n) => n.role === 'master').length, 3);
  assert.equal(nodes.filter((n) => n.role === 'replica').length, 3);
});

test('keys the app writes land on different masters and are read back through the cluster client', async () => {
  const run = randomUUID();
  const keys = Array.from({ length: 60 }, (_, i) => `test:${run}:${i}`);
  await Promise.all(keys.map((k, i) => cluster.set(k, `value-${i}`, 'EX', 60)));

  const holders = new Set<string>();
  for (const master of cluster.nodes('master') as Redis[]) {
    const found = await Promise.all(keys.map((k) => master.exists(k).catch(() => 0)));
    if (found.some((n) => n === 1)) holders.add(`${master.options.host}:${master.options.port}`);
  }
  assert.equal(holders.size, 3, `keys spread over ${[...holders].join(', ')}`);

  const values = await Promise.all(keys.map((k) => cluster.get(k)));
  assert.deepEqual(
    values,
    keys.map((_, i) => `value-${i}`),
  );
});
