import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A Microsoft account belongs to one user while it is linked; once its user disconnects it, another user may
 * link it. The uniqueness becomes a partial index that ignores disconnected rows (same name, so a violation
 * still reads as "linked elsewhere").
 */
export class FreeDisconnectedMsAccounts1764310000000 implements MigrationInterface {
  name = 'FreeDisconnectedMsAccounts1764310000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outlook_accounts DROP CONSTRAINT outlook_accounts_ms_account_key`);
    await db.query(
      `CREATE UNIQUE INDEX outlook_accounts_ms_account_key ON outlook_accounts (ms_tenant_id, ms_object_id)
       WHERE status <> 'disconnected'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outlook_accounts_ms_account_key`);
    await db.query(
      `ALTER TABLE outlook_accounts ADD CONSTRAINT outlook_accounts_ms_account_key UNIQUE (ms_tenant_id, ms_object_id)`,
    );
  }
}
