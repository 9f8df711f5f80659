import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Cluster } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA_HEALTH, REDIS_CLUSTER } from '../kafka/tokens';
import { parseClusterNodes, parseClusterState } from '../redis/redis-cluster';

const TIMEOUT_MS = 2500;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Truthful health of each dependency, each checked on its own with a short deadline. */
@Injectable()
export class InfraHealth {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly dataSource: DataSource,
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(KAFKA_HEALTH) private readonly kafka: Kafka,
  ) {}

  checks(): Array<() => Promise<HealthIndicatorResult>> {
    return [
      () => this.postgres('postgres_primary', 'master'),
      () => this.postgres('postgres_replica', 'slave'),
      () => this.redisCluster(),
      () => this.kafkaBroker(),
    ];
  }

  async postgres(key: string, mode: 'master' | 'slave'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    const runner = this.dataSource.createQueryRunner(mode);
    try {
      const rows = await withTimeout(runner.query('SELECT pg_is_in_recovery() AS recovery'), key);
      const inRecovery = rows[0].recovery === true;
      return check.up({ role: inRecovery ? 'replica' : 'primary' });
    } catch (error) {
      return check.down({ message: reason(error) });
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  async redisCluster(): Promise<HealthIndicatorResult> {
    const check = this.health.check('redis_cluster');
    try {
      const [info, nodes] = await withTimeout(
        Promise.all([
          this.redis.cluster('INFO') as Promise<string>,
          this.redis.cluster('NODES') as Promise<string>,
        ]),
        'redis cluster',
      );
      const state = parseClusterState(info);
      const parsed = parseClusterNodes(nodes);
      const live = parsed.filter((n) => !n.failed);
      const details = {
        state,
        masters: live.filter((n) => n.role === 'master').length,
        replicas: live.filter((n) => n.role === 'replica').length,
        failedNodes: parsed.filter((n) => n.failed).map((n) => n.address),
      };
      return state === 'ok' ? check.up(details) : check.down(details);
    } catch (error) {
      return check.down({ message: reason(error) });
    }
  }

  async kafkaBroker(): Promise<HealthIndicatorResult> {
    const check = this.health.check('kafka');
    const admin = this.kafka.admin();
    try {
      const cluster = await withTimeout(
        admin.connect().then(() => admin.describeCluster()),
        'kafka',
      );
      return check.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return check.down({ message: reason(error) });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
