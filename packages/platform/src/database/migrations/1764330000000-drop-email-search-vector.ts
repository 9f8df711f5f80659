import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No query reads `emails.search_vector`, yet computing it (to_tsvector over subject, preview and addresses)
 * and keeping its GIN index up to date halved the rate at which a sync can write mail (bench:sync, raw
 * insert: ~9,300 → ~20,000 rows/s at 4 connections). Search will bring the index its queries need.
 */
export class DropEmailSearchVector1764330000000 implements MigrationInterface {
  name = 'DropEmailSearchVector1764330000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS emails_search_idx`);
    await db.query(`ALTER TABLE emails DROP COLUMN IF EXISTS search_vector`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE emails ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig,
          coalesce(subject, '') || ' ' || coalesce(body_preview, '') || ' ' ||
          coalesce(from_name, '') || ' ' || coalesce(from_address, '') || ' ' || (to_recipients::text))
      ) STORED`);
    await db.query(`CREATE INDEX emails_search_idx ON emails USING gin (search_vector)`);
  }
}
