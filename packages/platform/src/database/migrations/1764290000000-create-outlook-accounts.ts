import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One linked Outlook mailbox per user. Every token-like column holds TokenCipher ciphertext, never a token.
 * `cache_version` is bumped on every token write so concurrent refreshes can compare-and-set.
 */
export class CreateOutlookAccounts1764290000000 implements MigrationInterface {
  name = 'CreateOutlookAccounts1764290000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outlook_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        ms_object_id text NOT NULL,
        ms_tenant_id text NOT NULL,
        address text NOT NULL,
        access_token text,
        token_cache text,
        access_token_expires_at timestamptz,
        scopes text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('connected', 'reauth_required', 'disconnected')),
        cache_version integer NOT NULL DEFAULT 0,
        connected_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outlook_accounts_user_key UNIQUE (user_id),
        CONSTRAINT outlook_accounts_ms_account_key UNIQUE (ms_tenant_id, ms_object_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outlook_accounts`);
  }
}
