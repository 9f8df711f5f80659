// The tables the producer's repositories describe (defineTable) against the migrated schema: a migration and
// the code that disagree on a column, its type or nullability, or an index a query relies on, fail here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrations, schemaDrift } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { loadProducerConfig } from '../src/config/config';
import { usersTable } from '../src/users/users.repository';

let dataSource: DataSource;

before(async () => {
  const { database } = loadProducerConfig(stackEnv(process.env)).infra;
  await runMigrations(database);
  dataSource = await new DataSource(buildDataSourceOptions({ ...database, replicaUrls: [] })).initialize();
});

after(async () => {
  await dataSource?.destroy();
});

test('users is as its repository declares it', async () => {
  assert.deepEqual(await schemaDrift(dataSource, [usersTable]), []);
});
