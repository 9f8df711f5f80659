import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { col, defineTable, PgType } from '@core-email/platform';
import type { EmailRow } from '../graph/email-row';
import type { RowBatch } from '../graph/row-batch';

/** One message of a user's mailbox, keyed by Graph's immutable id (it survives moves). */
export const emailsTable = defineTable({
  name: 'emails',
  columns: {
    id: col.bigint(),
    user_id: col.uuid(),
    graph_id: col.text(),
    internet_message_id: col.text().orNull(),
    conversation_id: col.text().orNull(),
    folder_graph_id: col.text(),
    sender_name: col.text().orNull(),
    sender_address: col.text().orNull(),
    from_name: col.text().orNull(),
    from_address: col.text().orNull(),
    to_recipients: col.jsonb(),
    cc_recipients: col.jsonb(),
    bcc_recipients: col.jsonb(),
    subject: col.text().orNull(),
    body_preview: col.text().orNull(),
    body_content: col.text().orNull(),
    body_type: col.text().orNull(),
    importance: col.text().orNull(),
    has_attachments: col.boolean(),
    is_read: col.boolean(),
    is_draft: col.boolean(),
    flag_status: col.text().orNull(),
    received_at: col.timestamptz().orNull(),
    sent_at: col.timestamptz().orNull(),
    last_modified_at: col.timestamptz().orNull(),
    change_key: col.text().orNull(),
    categories: col.textArray(),
    web_link: col.text().orNull(),
    /** The delta round that last wrote the row (see the create-mail-tables migration). */
    sync_round: col.bigint().orNull(),
  },
  indexes: {
    emails_user_graph_key: 'UNIQUE USING btree (user_id, graph_id)',
    // Keyset pages of the read API, all mail or one folder's (producer MailReadRepository.messagePage).
    emails_user_received_idx: 'USING btree (user_id, received_at DESC, id DESC)',
    emails_user_folder_received_idx: 'USING btree (user_id, folder_graph_id, received_at DESC, id DESC)',
  },
});

/** Columns the database or the write statement fills, not the message. */
const NOT_FROM_GRAPH = new Set(['id', 'user_id', 'sync_round']);

/**
 * The stored columns in the order a RowBatch sends them: each row travels as a JSON array of these values,
 * which PostgreSQL reads by position (no key lookups, a quarter fewer bytes than objects).
 */
export const EMAIL_COLUMNS = Object.entries(emailsTable.columns)
  .filter(([name]) => !NOT_FROM_GRAPH.has(name))
  .map(([name, column]) => [name, column.type] as const) as ReadonlyArray<readonly [keyof EmailRow, PgType]>;

/** The emails columns a RowBatch carries, in its order. */
export const EMAIL_COLUMN_NAMES = EMAIL_COLUMNS.map(([name]) => name);

/** Reads the value at position `i` of a row array `v` as its column's type. */
function columnValue(type: PgType, i: number): string {
  switch (type) {
    case 'text':
      return `v->>${i}`;
    case 'jsonb':
      return `v->${i}`;
    case 'text[]':
      return `ARRAY(SELECT jsonb_array_elements_text(v->${i}))`;
    default:
      return `(v->>${i})::${type}`;
  }
}

/**
 * The rows of a RowBatch passed as `param`, one per row array, with the columns of EMAIL_COLUMN_NAMES.
 * Positions rather than keys: PostgreSQL converts a page about a fifth faster.
 */
export function emailRowsFrom(param: string): string {
  const values = EMAIL_COLUMNS.map(([name, type], i) => `${columnValue(type, i)} AS ${name}`);
  return `SELECT ${values.join(', ')} FROM jsonb_array_elements(${param}::jsonb) AS v`;
}

/**
 * One statement per page: the page travels as one JSON parameter (no parameter limit, one round trip).
 * A row is rewritten only when something changed: its change key or modification time, its folder (a move),
 * or the delta round that vouches for it (see the create-mail-tables migration). `round` is the SQL that
 * gives a row's round.
 */
const upsertSql = (round: string) => `
  INSERT INTO emails (user_id, ${EMAIL_COLUMN_NAMES.join(', ')}, sync_round)
  SELECT $1::uuid, ${EMAIL_COLUMN_NAMES.map((n) => `r.${n}`).join(', ')}, ${round}
    FROM (${emailRowsFrom('$2')}) AS r
  ON CONFLICT (user_id, graph_id) DO UPDATE SET
    ${EMAIL_COLUMN_NAMES.filter((n) => n !== 'graph_id')
      .map((n) => `${n} = EXCLUDED.${n}`)
      .join(', ')},
    sync_round = EXCLUDED.sync_round
  WHERE emails.change_key IS DISTINCT FROM EXCLUDED.change_key
     OR emails.last_modified_at IS DISTINCT FROM EXCLUDED.last_modified_at
     OR emails.folder_graph_id IS DISTINCT FROM EXCLUDED.folder_graph_id
     OR emails.sync_round IS DISTINCT FROM EXCLUDED.sync_round`;

/** A delta page: every row carries the round of the folder being walked. */
const UPSERT_PAGE = upsertSql('$3::bigint');

/**
 * Messages fetched by id, of any folders, and ids Graph no longer has, in one statement (so one atomic
 * round trip). Each row carries its folder's round as committed now, so a fresh round that started meanwhile
 * vouches for it (the folder row is locked against a concurrent round change). Returns what actually changed:
 * rows inserted, rows rewritten, rows deleted.
 */
const APPLY_MESSAGES = `
  WITH written AS (
    ${upsertSql(`(SELECT f.round FROM mail_folders f
       WHERE f.user_id = $1 AND f.graph_id = r.folder_graph_id FOR SHARE)`)}
    RETURNING graph_id, (xmax = 0) AS inserted
  ), removed AS (
    DELETE FROM emails WHERE user_id = $1 AND graph_id = ANY($3::text[]) RETURNING graph_id
  )
  SELECT graph_id, CASE WHEN inserted THEN 'created' ELSE 'updated' END AS change FROM written
  UNION ALL
  SELECT graph_id, 'deleted' FROM removed`;

export interface MessageChanges {
  created: string[];
  updated: string[];
  deleted: string[];
}

/** All I/O on `emails`. Every statement is scoped to one user. */
@Injectable()
export class EmailsRepository {
  /** Returns how many rows were inserted or rewritten. */
  async upsertPage(db: EntityManager, userId: string, round: string, rows: RowBatch): Promise<number> {
    if (rows.size === 0) return 0;
    // EntityManager.query gives no row count for an INSERT; the structured result does.
    const result = await db.queryRunner!.query(UPSERT_PAGE, [userId, rows.json, round], true);
    return result.affected ?? 0;
  }

  /** Rows of folders the user has synced (the caller checked) and ids gone from the mailbox. */
  async applyMessages(
    db: EntityManager,
    userId: string,
    rows: RowBatch,
    removedIds: string[],
  ): Promise<MessageChanges> {
    const changes: MessageChanges = { created: [], updated: [], deleted: [] };
    if (rows.size + removedIds.length === 0) return changes;
    const found = (await db.query(APPLY_MESSAGES, [userId, rows.json, removedIds])) as Array<{
      graph_id: string;
      change: keyof MessageChanges;
    }>;
    for (const r of found) changes[r.change].push(r.graph_id);
    return changes;
  }

  /** Which of `ids` the user has stored (on the primary: a write that just committed there is seen). */
  async storedIds(db: EntityManager, userId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await db.query(
      `SELECT graph_id FROM emails WHERE user_id = $1 AND graph_id = ANY($2::text[])`,
      [userId, ids],
    )) as { graph_id: string }[];
    return new Set(rows.map((r) => r.graph_id));
  }

  /** Deletions and moves out of this folder: a row already filed under another folder stays. */
  async deleteFromFolder(
    db: EntityManager,
    userId: string,
    folderGraphId: string,
    ids: string[],
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const [, affected] = (await db.query(
      `DELETE FROM emails WHERE user_id = $1 AND folder_graph_id = $2 AND graph_id = ANY($3::text[])`,
      [userId, folderGraphId, ids],
    )) as [unknown, number];
    return affected;
  }

  /** End of a fresh round: what the round did not vouch for is gone from Graph. */
  async deleteUnseen(
    db: EntityManager,
    userId: string,
    folderGraphId: string,
    round: string,
  ): Promise<number> {
    const [, affected] = (await db.query(
      `DELETE FROM emails WHERE user_id = $1 AND folder_graph_id = $2 AND sync_round IS DISTINCT FROM $3::bigint`,
      [userId, folderGraphId, round],
    )) as [unknown, number];
    return affected;
  }

  /** Rows of folders that no longer exist in the mailbox. */
  async deleteOutsideFolders(db: EntityManager, userId: string, folderGraphIds: string[]): Promise<number> {
    const [, affected] = (await db.query(
      `DELETE FROM emails WHERE user_id = $1 AND folder_graph_id <> ALL($2::text[])`,
      [userId, folderGraphIds],
    )) as [unknown, number];
    return affected;
  }
}
