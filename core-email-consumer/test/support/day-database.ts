// A PostgreSQL database of the test's own, on the stack's primary (and so on its streaming replica), with
// every migration applied. The consumer's scheduler works over the whole database it is given: renewal
// ticks, polling and the retirement of stale subscriptions. Given the shared database it would act on other
// tests' leftover mailboxes against this test's emulator (marking them polling or reauth_required); given
// its own it touches only this test's mailbox.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, DatabaseSettings, runMigrations } from '@core-email/platform';
import { eventually, stackEnv } from '@core-email/platform/testing';

export interface OwnDatabase {
  /** DB_PRIMARY_URL and DB_REPLICA_URLS for the processes that are to use it. */
  env: { DB_PRIMARY_URL: string; DB_REPLICA_URLS: string };
  /** The primary, for the test's own queries. */
  db: DataSource;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function plainConnection(url: string): DataSource {
  return new DataSource({ type: 'postgres', url, poolSize: 1 });
}

export async function createOwnDatabase(prefix: string): Promise<OwnDatabase> {
  const shared = stackEnv(process.env);
  const primary = shared.DB_PRIMARY_URL!;
  const replica = (shared.DB_REPLICA_URLS ?? primary).split(',')[0];
  // Lower case letters, digits and _ only: the name is spliced into DDL.
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.replace(/[^a-z0-9_]/g, '_');
  const admin = await plainConnection(primary).initialize();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.destroy();
  }
  const settings: DatabaseSettings = {
    primaryUrl: withDatabase(primary, name),
    replicaUrls: [withDatabase(replica, name)],
    poolSize: 4,
  };
  const applied = await runMigrations(settings);
  await replicaCaughtUp(settings.replicaUrls[0], applied.length);
  const db = await new DataSource({
    ...buildDataSourceOptions({ ...settings, replicaUrls: [] }),
    poolSize: 4,
  }).initialize();
  return {
    env: { DB_PRIMARY_URL: settings.primaryUrl, DB_REPLICA_URLS: settings.replicaUrls.join(',') },
    db,
    async drop() {
      await db.destroy();
      const conn = await plainConnection(primary).initialize();
      try {
        await conn.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await conn.destroy();
      }
    },
  };
}

/** The services read from the replica: it must hold the new database and its schema before they start. */
async function replicaCaughtUp(url: string, migrations: number): Promise<void> {
  await eventually(
    async () => {
      const conn = await plainConnection(url).initialize();
      try {
        const [row] = (await conn.query(`SELECT count(*)::int AS n FROM schema_migrations`)) as {
          n: number;
        }[];
        return row.n === migrations;
      } finally {
        await conn.destroy();
      }
    },
    30_000,
    'the replica holding the new database',
  );
}
