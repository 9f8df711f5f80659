import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Cluster } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { INFRA_SETTINGS, InfraSettings } from '../config/infra-settings';
import { KAFKA_HEALTH } from '../kafka/tokens';
import { REDIS_CLUSTER } from '../redis/tokens';
import { DeadlinePassed, withDeadline } from '../util/deadline';
import { parseClusterNodes, parseClusterState } from '../redis/redis-cluster';

const TIMEOUT_MS = 2500;
/**
 * One report serves every caller for this long: each dashboard tab polls every 5 s, and a burst of probes
 * costs the dependencies one round of checks, not one per request (review M13).
 */
export const HEALTH_CACHE_MS = 3000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  return withDeadline(work, TIMEOUT_MS, what);
}

/** The whole report: which dependencies are up, which are down, and what that means for the service. */
export interface InfraReport {
  /** ok: all up; degraded: only dependencies the service can do without are down; error: otherwise. */
  status: 'ok' | 'degraded' | 'error';
  info: Record<string, Record<string, unknown>>;
  error: Record<string, Record<string, unknown>>;
  details: Record<string, Record<string, unknown>>;
}

/**
 * Truthful health of each dependency, each checked on its own with a short deadline. Kafka is checked with
 * one long-lived admin client (reconnected after a failure), not a new connection per call. For a public
 * endpoint (the producer's /api/health) no error text or node address is given: those name internal hosts.
 */
@Injectable()
export class InfraHealth implements OnApplicationShutdown {
  private admin?: { client: Admin; connected: Promise<void> };
  private cached?: { at: number; report: Promise<InfraReport> };

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly dataSource: DataSource,
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(KAFKA_HEALTH) private readonly kafka: Kafka,
    @Inject(INFRA_SETTINGS) private readonly settings: InfraSettings,
  ) {}

  /** The dependencies this service can serve without (reported, but the report is `degraded`, not `error`). */
  get optional(): string[] {
    return this.settings.kafkaOptional ? ['kafka'] : [];
  }

  /** The report, at most HEALTH_CACHE_MS old; concurrent callers share one round of checks. */
  report(): Promise<InfraReport> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= HEALTH_CACHE_MS) {
      this.cached = { at: now, report: this.check() };
    }
    return this.cached.report;
  }

  private async check(): Promise<InfraReport> {
    const results = await Promise.all(this.checks().map((c) => c()));
    const report: InfraReport = { status: 'ok', info: {}, error: {}, details: {} };
    for (const result of results) {
      for (const [key, value] of Object.entries(result)) {
        report.details[key] = value;
        if (value.status === 'up') report.info[key] = value;
        else report.error[key] = value;
      }
    }
    const down = Object.keys(report.error);
    if (down.length > 0) report.status = down.every((k) => this.optional.includes(k)) ? 'degraded' : 'error';
    return report;
  }

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
      return check.down({ message: this.reason(error) });
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  async redisCluster(): Promise<HealthIndicatorResult> {
    const check = this.health.check('redis_cluster');
    // Not connected: asking would leave the commands in ioredis' offline queue until Redis is back.
    if (this.redis.status !== 'ready')
      return check.down({ message: this.reason(new Error('not connected')) });
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
      const failed = parsed.filter((n) => n.failed);
      const details: Record<string, unknown> = {
        state,
        masters: live.filter((n) => n.role === 'master').length,
        replicas: live.filter((n) => n.role === 'replica').length,
        ...(this.settings.publicHealth
          ? { failedNodeCount: failed.length }
          : { failedNodes: failed.map((n) => n.address) }),
      };
      return state === 'ok' ? check.up(details) : check.down(details);
    } catch (error) {
      return check.down({ message: this.reason(error) });
    }
  }

  async kafkaBroker(): Promise<HealthIndicatorResult> {
    const check = this.health.check('kafka');
    try {
      const cluster = await withTimeout(
        this.connectedAdmin().then((admin) => admin.describeCluster()),
        'kafka',
      );
      return check.up({ brokers: cluster.brokers.length });
    } catch (error) {
      // A new connection next time: the old one may be half-open to a broker that went away.
      this.dropAdmin();
      const down: Record<string, unknown> = { message: this.reason(error) };
      if (this.optional.includes('kafka')) down.degraded = true;
      return check.down(down);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.dropAdmin();
  }

  private connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const client = this.kafka.admin();
      this.admin = { client, connected: client.connect() };
    }
    const { client, connected } = this.admin;
    return connected.then(() => client);
  }

  private dropAdmin(): void {
    const admin = this.admin;
    this.admin = undefined;
    if (!admin) return;
    void admin.connected
      .catch(() => undefined)
      .then(() => admin.client.disconnect())
      .catch(() => undefined);
  }

  private reason(error: unknown): string {
    if (this.settings.publicHealth) return error instanceof DeadlinePassed ? 'timed out' : 'unreachable';
    return error instanceof Error ? error.message : String(error);
  }
}
