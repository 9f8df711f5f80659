import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { MIGRATIONS } from './migrations';

export interface DatabaseSettings {
  primaryUrl: string;
  replicaUrls: string[];
  poolSize: number;
}

/**
 * Writes go to the primary, reads to the streaming replicas (TypeORM `replication`). The schema changes only
 * through migrations, run explicitly with `npm run migrate`. No entities: every query is SQL in a
 * repository, which describes its table once (`defineTable`, checked against the schema by `schemaDrift`).
 */
export function buildDataSourceOptions(settings: DatabaseSettings): PostgresConnectionOptions {
  const replicas = settings.replicaUrls.length > 0 ? settings.replicaUrls : [settings.primaryUrl];
  return {
    type: 'postgres',
    replication: {
      master: { url: settings.primaryUrl },
      slaves: replicas.map((url) => ({ url })),
    },
    poolSize: settings.poolSize,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: {
      connectionTimeoutMillis: 3000,
      statement_timeout: 30000,
      // No transaction waits on anything outside PostgreSQL (Kafka goes through the outbox); one left idle
      // this long is a bug, and PostgreSQL ends it rather than let it hold its locks and connection.
      idle_in_transaction_session_timeout: 60000,
    },
  };
}
