import { Logger } from '@nestjs/common';
import { Cluster, Command, type Redis } from 'ioredis';

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * One ioredis Cluster client per process; it follows slot moves and failovers on its own.
 *
 * A master's failover (kill -9: its replica takes over once the others have missed it for
 * cluster-node-timeout, ~3 s on the stack) must not surface as an error: a command for one of its slots
 * meets "connection closed" and then MOVED answers pointing at the dead master until the vote is over. With
 * ioredis' defaults (16 redirections, MOVED retried at once) that budget is spent in about a second and the
 * caller got "Too many Cluster redirections". Here each round (two redirections) waits ~150 ms and there
 * are 80 redirections, so a command outlives a failover of ~6 s; callers on a request path put their own shorter deadline over it
 * (withRedisDeadline), and reads that may be answered by a replica use readFromReplica.
 *
 * The offline queue stays on for callers without a deadline (the consumer's leases and locks wait for
 * Redis to come back instead of failing their job into the DLQ); withRedisDeadline never queues a command
 * while the cluster is not ready, so nothing on a request path piles up there.
 */
export function createRedisCluster(nodes: RedisNode[], keyPrefix = ''): Cluster {
  const cluster = new Cluster(nodes, {
    keyPrefix,
    scaleReads: routeRead,
    enableOfflineQueue: true,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    maxRedirections: 80,
    retryDelayOnMoved: 50,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 2 },
  });
  logErrorsBriefly(cluster);
  return cluster;
}

/** While Redis is down ioredis emits an error per reconnect attempt: one log line per 10 s is enough. */
function logErrorsBriefly(cluster: Cluster): void {
  const log = new Logger('Redis');
  let lastLogged = 0;
  let quiet = 0;
  cluster.on('error', (err: Error) => {
    if (Date.now() - lastLogged < 10_000) {
      quiet += 1;
      return;
    }
    log.warn({ err: { name: err.name, message: err.message }, alsoSince: quiet }, 'redis cluster error');
    lastLogged = Date.now();
    quiet = 0;
  });
}

/** Commands sent by readFromReplica: routeRead gives them to a replica of their slot. */
const REPLICA_READS = new WeakSet<Command>();

/**
 * ioredis' scaleReads hook, called for read-only commands with the slot's nodes (master first; an entry is
 * undefined when that node's connection is gone). Every read goes to the master, as with
 * `scaleReads: 'master'`, except those readFromReplica marked.
 */
function routeRead(nodes: (Redis | undefined)[], command: Command): Redis | Redis[] | undefined {
  if (!REPLICA_READS.has(command)) return nodes[0];
  const replicas = nodes.slice(1).filter((node): node is Redis => node !== undefined);
  return replicas.length > 0 ? replicas : nodes[0];
}

/**
 * A read-only command answered by a replica of the key's slot (the master when the slot has none). A replica
 * is behind its master by the replication lag (milliseconds), so use it only where that is acceptable, e.g.
 * while the master does not answer. The reply comes as strings.
 */
export function readFromReplica<T>(redis: Cluster, name: string, args: (string | number)[]): Promise<T> {
  const command = new Command(name, args, {
    keyPrefix: redis.options.keyPrefix,
    replyEncoding: 'utf8',
    readOnly: true,
  });
  REPLICA_READS.add(command);
  redis.sendCommand(command);
  return command.promise as Promise<T>;
}

export interface ClusterNodeInfo {
  address: string;
  role: 'master' | 'replica';
  failed: boolean;
}

/** Parses `CLUSTER NODES`: one line per node, `<id> <ip:port@cport> <flags> ...`. */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [, address, flags] = line.split(' ');
      const flagList = flags.split(',');
      return {
        address: address.split('@')[0],
        role: flagList.includes('master') ? 'master' : 'replica',
        failed: flagList.includes('fail') || flagList.includes('fail?'),
      };
    });
}

export function parseClusterState(info: string): string {
  return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
}
