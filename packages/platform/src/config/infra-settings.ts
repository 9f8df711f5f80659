import { z } from 'zod';
import type { DatabaseSettings } from '../database/data-source-options';
import type { KafkaSettings } from '../kafka/kafka-client';
import type { TopicSettings } from '../kafka/topic-admin';
import type { RedisNode } from '../redis/redis-cluster';
import { infraEnvShape } from './env';

/** What the shared infrastructure module needs, derived from each app's own validated config. */
export interface InfraSettings {
  serviceName: string;
  database: DatabaseSettings;
  redis: { nodes: RedisNode[]; keyPrefix: string };
  kafka: KafkaSettings & TopicSettings;
  /**
   * The service serves without Kafka (the producer: sign-up, log-in and reads need none, jobs wait in the
   * outbox, the webhook answers 503). Kafka is then connected in the background, with retry, instead of
   * before start-up, and health reports it `degraded` instead of `error`.
   */
  kafkaOptional?: boolean;
  /** Health is answered to anonymous callers (the producer's /api/health): no error texts or node addresses. */
  publicHealth?: boolean;
}

export const INFRA_SETTINGS = Symbol('INFRA_SETTINGS');

type InfraEnv = z.infer<z.ZodObject<typeof infraEnvShape>>;

export function infraSettingsFrom(serviceName: string, env: InfraEnv): InfraSettings {
  return {
    serviceName,
    database: {
      primaryUrl: env.DB_PRIMARY_URL,
      replicaUrls: env.DB_REPLICA_URLS,
      poolSize: env.DB_POOL_SIZE,
    },
    redis: { nodes: env.REDIS_CLUSTER_NODES as RedisNode[], keyPrefix: env.REDIS_KEY_PREFIX },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? serviceName,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    },
  };
}
