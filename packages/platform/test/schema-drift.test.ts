// The tables the platform's repositories describe (defineTable) against the migrated schema: a migration
// and the code that disagree on a column, its type or nullability, or an index a query relies on, fail here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { infraEnvShape, parseEnv } from '../src/config/env';
import { infraSettingsFrom } from '../src/config/infra-settings';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { runMigrations } from '../src/database/migrate';
import { schemaDrift } from '../src/database/schema-drift';
import { outlookAccountsTable } from '../src/microsoft/outlook-accounts.repository';
import { outboxTable } from '../src/outbox/outbox.repository';
import { graphSubscriptionsTable } from '../src/subscriptions/graph-subscriptions.repository';
import { stackEnv } from '../src/testing/stack-env';

let dataSource: DataSource;

before(async () => {
  const env = parseEnv(z.object(infraEnvShape), stackEnv(process.env));
  const { database } = infraSettingsFrom('schema-drift-test', env);
  await runMigrations(database);
  dataSource = await new DataSource(buildDataSourceOptions({ ...database, replicaUrls: [] })).initialize();
});

after(async () => {
  await dataSource?.destroy();
});

test('outlook_accounts, graph_subscriptions and outbox are as their repositories declare them', async () => {
  assert.deepEqual(
    await schemaDrift(dataSource, [outlookAccountsTable, graphSubscriptionsTable, outboxTable]),
    [],
  );
});

test('schemaDrift names each difference: a column, its type and nullability, an index', async () => {
  const declared = outboxTable.columns;
  const drifted = {
    name: 'outbox',
    columns: {
      ...declared,
      attempts: { type: 'bigint' as const, nullable: false },
      claimed_by: { type: 'uuid' as const, nullable: false },
      relayed_at: { type: 'timestamp with time zone' as const, nullable: true },
    },
    indexes: { outbox_topic_key_idx: 'USING btree (topic, id)', outbox_missing_idx: 'USING btree (key)' },
  };
  const { created_at: _createdAt, ...withoutCreatedAt } = drifted.columns;
  assert.deepEqual(await schemaDrift(dataSource, [{ ...drifted, columns: withoutCreatedAt }]), [
    'outbox.claimed_by: nullable in the database, not in code',
    'outbox.attempts: integer in the database, bigint in code',
    'outbox.relayed_at: declared, not in the database',
    'outbox.created_at: in the database, not declared',
    'outbox: index outbox_topic_key_idx is "USING btree (topic, key, id)", code says "USING btree (topic, id)"',
    'outbox: index outbox_missing_idx is not in the database',
  ]);
  assert.deepEqual(await schemaDrift(dataSource, [{ name: 'no_such_table', columns: {}, indexes: {} }]), [
    'no_such_table: no such table',
  ]);
});
