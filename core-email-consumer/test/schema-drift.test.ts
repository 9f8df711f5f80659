// The tables the consumer's repositories describe (defineTable) against the migrated schema: a migration and
// the code that disagree on a column, its type or nullability, or an index a query relies on, fail here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrations, schemaDrift } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { mailAuditMailboxesTable, mailAuditsTable } from '../src/audit/mail-audits.repository';
import { loadConsumerConfig } from '../src/config/config';
import { emailsTable } from '../src/sync/repositories/emails.repository';
import { mailFoldersTable } from '../src/sync/repositories/mail-folders.repository';
import { syncRunsTable } from '../src/sync/repositories/sync-runs.repository';

let dataSource: DataSource;

before(async () => {
  const { database } = loadConsumerConfig(stackEnv(process.env)).infra;
  await runMigrations(database);
  dataSource = await new DataSource(buildDataSourceOptions({ ...database, replicaUrls: [] })).initialize();
});

after(async () => {
  await dataSource?.destroy();
});

test('emails, mail_folders, sync_runs and the audit tables are as their repositories declare them', async () => {
  const tables = [emailsTable, mailFoldersTable, syncRunsTable, mailAuditsTable, mailAuditMailboxesTable];
  assert.deepEqual(await schemaDrift(dataSource, tables), []);
});
