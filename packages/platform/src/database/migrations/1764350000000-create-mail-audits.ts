import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The completeness audit (consumer `src/audit/`): proof that the copy equals the mailbox.
 *
 * `mail_audits` holds one row per folder per audit (`audit_id` groups one audit of one mailbox): what was
 * stored, what Graph listed, what differed (missing: at Graph, not stored; extra: stored, nowhere at Graph;
 * stale: another change key or another folder) and how much of it was repaired. A mailbox was last proven
 * complete at the end of its latest audit whose folders are all `complete` or `repaired`. Old audits are
 * pruned by the consumer, so the table stays a few audits per mailbox.
 *
 * `mail_audit_mailboxes` is the audit state of a mailbox: `requested_at` is the on-demand audit that is
 * queued (at most one: POST /api/mail/audit answers with it instead of queuing another), cleared when an
 * audit that started after it ends; `scheduled_at` is when the scheduler last queued one (its spread).
 */
export class CreateMailAudits1764350000000 implements MigrationInterface {
  name = 'CreateMailAudits1764350000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE mail_audits (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        audit_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        folder_graph_id text NOT NULL,
        folder_name text NOT NULL,
        checked_at timestamptz NOT NULL DEFAULT now(),
        stored integer NOT NULL CHECK (stored >= 0),
        at_graph integer NOT NULL CHECK (at_graph >= 0),
        missing integer NOT NULL CHECK (missing >= 0),
        extra integer NOT NULL CHECK (extra >= 0),
        stale integer NOT NULL CHECK (stale >= 0),
        repaired integer NOT NULL CHECK (repaired >= 0),
        status text NOT NULL CHECK (status IN ('complete', 'repaired', 'failed')),
        error text,
        CONSTRAINT mail_audits_audit_folder_key UNIQUE (audit_id, folder_graph_id)
      )`);
    // The latest audit of a user, and its proof of completeness, are read by checked time.
    await db.query(`CREATE INDEX mail_audits_user_checked_idx ON mail_audits (user_id, checked_at DESC)`);
    await db.query(`
      CREATE TABLE mail_audit_mailboxes (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        requested_at timestamptz,
        scheduled_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE mail_audit_mailboxes`);
    await db.query(`DROP TABLE mail_audits`);
  }
}
