import { Cluster } from 'ioredis';

export interface RedisNode {
  host: string;
  port: number;
}

/** One ioredis Cluster client per process; it follows slot moves and failovers on its own. */
export function createRedisCluster(nodes: RedisNode[], keyPrefix = ''): Cluster {
  return new Cluster(nodes, {
    keyPrefix,
    scaleReads: 'master',
    enableOfflineQueue: true,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    redisOptions: { connectTimeout: 2000, maxRetriesPerRequest: 2 },
  });
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
