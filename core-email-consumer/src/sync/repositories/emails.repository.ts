import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RowBatch } from '../graph/row-batch';

const COLUMNS = `graph_id text, internet_message_id text, conversation_id text, folder_graph_id text,
  sender_name text, sender_address text, from_name text, from_address text, to_recipients jsonb,
  cc_recipients jsonb, bcc_recipients jsonb, subject text, body_preview text, body_content text, body_type text,
  importance text, has_attachments boolean, is_read boolean, is_draft boolean, flag_status text,
  received_at timestamptz, sent_at timestamptz, last_modified_at timestamptz, change_key text,
  categories text[], web_link text`;

const NAMES = COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]);

/**
 * One statement per page: the page travels as one JSON parameter (no parameter limit, one round trip).
 * A row is rewritten only when something changed: its change key or modification time, its folder (a move),
 * or the delta round that vouches for it (see the create-mail-tables migration). `round` is the SQL that
 * gives a row's round.
 */
const upsertSql = (round: string) => `
  INSERT INTO emails (user_id, ${NAMES.join(', ')}, sync_round)
  SELECT $1::uuid, ${NAMES.map((n) => `r.${n}`).join(', ')}, ${round}
    FROM jsonb_to_recordset($2::jsonb) AS r(${COLUMNS})
  ON CONFLICT (user_id, graph_id) DO UPDATE SET
    ${NAMES.filter((n) => n !== 'graph_id')
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
