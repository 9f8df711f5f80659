import { setTimeout as sleep } from 'node:timers/promises';
import {
  DynamicModule,
  Global,
  Inject,
  Logger as NestLogger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Cluster } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { INFRA_SETTINGS, InfraSettings } from './config/infra-settings';
import { buildDataSourceOptions } from './database/data-source-options';
import { InfraHealth } from './health/infra-health';
import { createKafka } from './kafka/kafka-client';
import { KafkaPublisher } from './kafka/publisher';
import { KAFKA, KAFKA_HEALTH, PUBLISHER } from './kafka/tokens';
import { REDIS_CLUSTER } from './redis/tokens';
import { finishesWithin } from './util/deadline';
import { ensureTopics } from './kafka/topic-admin';
import { LOGGER } from './logging/logger';
import { MailboxLease } from './mailbox-work/mailbox-lease';
import { QueuedResyncs } from './mailbox-work/queued-resyncs';
import { createRedisCluster } from './redis/redis-cluster';

/** The producer's background Kafka start-up: first retry after 1 s, doubling up to 30 s. */
const KAFKA_RETRY_FIRST_MS = 1_000;
const KAFKA_RETRY_MAX_MS = 30_000;

/**
 * PostgreSQL (primary + replicas), the Redis cluster and Kafka, wired once for both services. The app's
 * config module provides INFRA_SETTINGS and LOGGER.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new NestLogger('Infrastructure');
  private readonly stopping = new AbortController();
  private kafkaStarting?: Promise<void>;

  constructor(
    @Inject(INFRA_SETTINGS) private readonly settings: InfraSettings,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        TerminusModule,
        TypeOrmModule.forRootAsync({
          inject: [INFRA_SETTINGS],
          useFactory: (s: InfraSettings) => buildDataSourceOptions(s.database),
        }),
      ],
      providers: [
        {
          provide: REDIS_CLUSTER,
          inject: [INFRA_SETTINGS],
          useFactory: (s: InfraSettings) => createRedisCluster(s.redis.nodes, s.redis.keyPrefix),
        },
        {
          provide: KAFKA,
          inject: [INFRA_SETTINGS, LOGGER],
          useFactory: (s: InfraSettings, logger: Logger) => createKafka(s.kafka, logger),
        },
        {
          provide: KAFKA_HEALTH,
          inject: [INFRA_SETTINGS, LOGGER],
          useFactory: (s: InfraSettings, logger: Logger) =>
            createKafka(
              { ...s.kafka, clientId: `${s.kafka.clientId}-health` },
              // silent: a broker that is down is the health report's news, not a stream of error lines
              logger.child({ health: true }, { level: 'silent' }),
              {
                retry: { retries: 0 },
                connectionTimeout: 1000,
                requestTimeout: 2000,
              },
            ),
        },
        { provide: PUBLISHER, inject: [KAFKA], useFactory: (kafka: Kafka) => new KafkaPublisher(kafka) },
        InfraHealth,
        MailboxLease,
        QueuedResyncs,
      ],
      exports: [REDIS_CLUSTER, KAFKA, PUBLISHER, InfraHealth, MailboxLease, QueuedResyncs, TerminusModule],
    };
  }

  async onModuleInit(): Promise<void> {
    // A service that cannot work without Kafka (the consumer) starts once Kafka is there; one that can (the
    // producer) starts at once and connects Kafka in the background (review M4).
    if (this.settings.kafkaOptional) this.kafkaStarting = this.startKafkaInBackground();
    else await this.startKafka();
  }

  private async startKafka(): Promise<void> {
    const created = await ensureTopics(this.kafka, this.settings.kafka);
    if (created.length > 0) this.log.log(`created topics: ${created.join(', ')}`);
    await this.publisher.connect();
  }

  private async startKafkaInBackground(): Promise<void> {
    let delay = KAFKA_RETRY_FIRST_MS;
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      try {
        await this.startKafka();
        if (attempt > 1) this.log.log(`Kafka connected after ${attempt} attempts`);
        return;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.log.warn(
          `Kafka not reachable (attempt ${attempt}: ${error instanceof Error ? error.message : String(error)}); ` +
            `serving without it, retrying in ${delay / 1000} s`,
        );
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, KAFKA_RETRY_MAX_MS);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await finishesWithin(this.kafkaStarting ?? Promise.resolve(), 5_000);
    // Bounded: a producer still reconnecting to a recovering broker must not hold up the shutdown.
    await finishesWithin(
      this.publisher.disconnect().catch(() => undefined),
      10_000,
    );
    this.redis.disconnect();
  }
}
