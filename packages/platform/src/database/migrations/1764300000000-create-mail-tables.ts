import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The local copy of a mailbox: its folders (with the delta checkpoint of each), its messages, and a record of
 * every sync run.
 *
 * Delta rounds: a folder's delta either continues from `delta_link` (a next link mid-round, or the delta link
 * of the last finished round) or starts a fresh round. A fresh round returns every current message but no
 * deletions, so it takes a number from `mail_sync_round_seq`, stamps it on each row it writes
 * (`emails.sync_round`), and at its end deletes the folder's rows that carry another number: nothing stale
 * survives a 410 or a full resync.
 */
export class CreateMailTables1764300000000 implements MigrationInterface {
  name = 'CreateMailTables1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE mail_sync_round_seq`);
    await db.query(`
      CREATE TABLE mail_folders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        graph_id text NOT NULL,
        parent_graph_id text,
        display_name text NOT NULL,
        total_count integer NOT NULL DEFAULT 0,
        unread_count integer NOT NULL DEFAULT 0,
        delta_link text,
        round bigint,
        round_is_fresh boolean NOT NULL DEFAULT false,
        round_run_id uuid,
        last_synced_at timestamptz,
        CONSTRAINT mail_folders_user_graph_key UNIQUE (user_id, graph_id)
      )`);
    await db.query(`
      CREATE TABLE emails (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        graph_id text NOT NULL,
        internet_message_id text,
        conversation_id text,
        folder_graph_id text NOT NULL,
        sender_name text,
        sender_address text,
        from_name text,
        from_address text,
        to_recipients jsonb NOT NULL DEFAULT '[]',
        cc_recipients jsonb NOT NULL DEFAULT '[]',
        bcc_recipients jsonb NOT NULL DEFAULT '[]',
        subject text,
        body_preview text,
        body_content text,
        body_type text,
        importance text,
        has_attachments boolean NOT NULL DEFAULT false,
        is_read boolean NOT NULL DEFAULT false,
        is_draft boolean NOT NULL DEFAULT false,
        flag_status text,
        received_at timestamptz,
        sent_at timestamptz,
        last_modified_at timestamptz,
        change_key text,
        categories text[] NOT NULL DEFAULT '{}',
        web_link text,
        sync_round bigint,
        search_vector tsvector GENERATED ALWAYS AS (
          to_tsvector('simple'::regconfig,
            coalesce(subject, '') || ' ' || coalesce(body_preview, '') || ' ' ||
            coalesce(from_name, '') || ' ' || coalesce(from_address, '') || ' ' || (to_recipients::text))
        ) STORED,
        CONSTRAINT emails_user_graph_key UNIQUE (user_id, graph_id)
      )`);
    await db.query(`CREATE INDEX emails_user_received_idx ON emails (user_id, received_at DESC, id DESC)`);
    await db.query(
      `CREATE INDEX emails_user_folder_received_idx ON emails (user_id, folder_graph_id, received_at DESC, id DESC)`,
    );
    await db.query(`CREATE INDEX emails_search_idx ON emails USING gin (search_vector)`);
    await db.query(`
      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        mode text NOT NULL CHECK (mode IN ('incremental', 'full')),
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'stuck')),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        last_progress_at timestamptz NOT NULL DEFAULT now(),
        messages_synced integer NOT NULL DEFAULT 0,
        error text
      )`);
    await db.query(`CREATE INDEX sync_runs_user_started_idx ON sync_runs (user_id, started_at DESC)`);
    await db.query(
      `CREATE INDEX sync_runs_running_idx ON sync_runs (last_progress_at) WHERE status = 'running'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sync_runs`);
    await db.query(`DROP TABLE emails`);
    await db.query(`DROP TABLE mail_folders`);
    await db.query(`DROP SEQUENCE mail_sync_round_seq`);
  }
}
