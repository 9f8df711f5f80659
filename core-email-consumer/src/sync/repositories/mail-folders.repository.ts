import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { col, defineTable, RowOf, selectList } from '@core-email/platform';
import type { GraphFolder } from '../graph/graph-schemas';
import { storableText, storableTextOrNull } from '../graph/storable-text';

/** A folder of a user's mailbox and its delta checkpoint (see the create-mail-tables migration). */
export const mailFoldersTable = defineTable({
  name: 'mail_folders',
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    graph_id: col.text(),
    parent_graph_id: col.text().orNull(),
    display_name: col.text(),
    total_count: col.integer(),
    unread_count: col.integer(),
    /** Where the folder's delta continues: a next link mid-round, or the last round's delta link. */
    delta_link: col.text().orNull(),
    /** Number of the current delta round (mail_sync_round_seq). */
    round: col.bigint().orNull(),
    /** The current round started from scratch and must delete what it did not see when it ends. */
    round_is_fresh: col.boolean(),
    /** The sync run that started the current round (a redelivered full run resumes it, not restarts). */
    round_run_id: col.uuid().orNull(),
    /** When a round of this folder last ended (its delta link saved). */
    last_synced_at: col.timestamptz().orNull(),
  },
  indexes: { mail_folders_user_graph_key: 'UNIQUE USING btree (user_id, graph_id)' },
});

const FOLDER_STATE = [
  'graph_id',
  'display_name',
  'total_count',
  'delta_link',
  'round',
  'round_is_fresh',
  'round_run_id',
  'last_synced_at',
] as const;

/** A folder as the sync needs it: identity, counts and its delta checkpoint. */
export type FolderState = RowOf<typeof mailFoldersTable, (typeof FOLDER_STATE)[number]>;

const FOLDER_STATE_COLUMNS = selectList(mailFoldersTable, FOLDER_STATE);

/** Where a folder's delta continues, saved after a page (see saveLink). */
export interface SavedLink {
  userId: string;
  graphId: string;
  /** The round the page belongs to. */
  round: string;
  /** The next link, or the delta link when the page ended the round. */
  link: string;
  roundDone: boolean;
}

/** All I/O on `mail_folders`. */
@Injectable()
export class MailFoldersRepository {
  /** Stores the folder listing (names, parents, counts); checkpoints of known folders are kept. */
  async upsertListing(db: EntityManager, userId: string, folders: GraphFolder[]): Promise<FolderState[]> {
    const json = JSON.stringify(
      folders.map((f) => ({
        graph_id: f.id,
        parent_graph_id: storableTextOrNull(f.parentFolderId),
        display_name: storableText(f.displayName ?? ''),
        total_count: f.totalItemCount ?? 0,
        unread_count: f.unreadItemCount ?? 0,
      })),
    );
    return (await db.query(
      `INSERT INTO mail_folders (user_id, graph_id, parent_graph_id, display_name, total_count, unread_count)
       SELECT $1::uuid, r.graph_id, r.parent_graph_id, r.display_name, r.total_count, r.unread_count
         FROM jsonb_to_recordset($2::jsonb)
           AS r(graph_id text, parent_graph_id text, display_name text, total_count integer, unread_count integer)
       ON CONFLICT (user_id, graph_id) DO UPDATE SET parent_graph_id = EXCLUDED.parent_graph_id,
         display_name = EXCLUDED.display_name, total_count = EXCLUDED.total_count,
         unread_count = EXCLUDED.unread_count
       RETURNING ${FOLDER_STATE_COLUMNS}`,
      [userId, json],
    )) as FolderState[];
  }

  async listSynced(db: EntityManager, userId: string): Promise<FolderState[]> {
    return (await db.query(
      `SELECT ${FOLDER_STATE_COLUMNS}
         FROM mail_folders WHERE user_id = $1 AND delta_link IS NOT NULL ORDER BY graph_id`,
      [userId],
    )) as FolderState[];
  }

  /**
   * A transaction with an xid commits with the server's synchronous_commit (on): it waits for the WAL up to
   * its commit record, which holds every earlier commit, the asynchronous page commits included.
   */
  async flushCommitted(db: DataSource): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT txid_current()`);
    });
  }

  /**
   * The transaction `tx` commits without waiting for its WAL flush (a delta page: see DeltaPageWriter);
   * flushCommitted is what makes such commits durable.
   */
  async commitWithoutFlush(tx: EntityManager): Promise<void> {
    await tx.query(`SET LOCAL synchronous_commit = off`);
  }

  async deleteOthers(db: EntityManager, userId: string, keepGraphIds: string[]): Promise<void> {
    await db.query(`DELETE FROM mail_folders WHERE user_id = $1 AND graph_id <> ALL($2::text[])`, [
      userId,
      keepGraphIds,
    ]);
  }

  /** A new round from scratch: a new round number, no link, reconcile at its end. */
  async startFreshRound(
    db: EntityManager,
    userId: string,
    graphId: string,
    runId: string,
  ): Promise<FolderState> {
    const [[row]] = (await db.query(
      `UPDATE mail_folders SET round = nextval('mail_sync_round_seq'), round_is_fresh = true,
         round_run_id = $3, delta_link = NULL
       WHERE user_id = $1 AND graph_id = $2 RETURNING ${FOLDER_STATE_COLUMNS}`,
      [userId, graphId, runId],
    )) as [FolderState[], number];
    if (!row) throw new Error(`folder ${graphId} of user ${userId} is gone`);
    return row;
  }

  /**
   * Saves where the delta continues. Guarded by the round: if another worker restarted this folder
   * meanwhile, this page belongs to a dead round and the whole transaction must roll back.
   */
  async saveLink(db: EntityManager, save: SavedLink): Promise<void> {
    const { userId, graphId, round, link, roundDone } = save;
    const [, affected] = (await db.query(
      `UPDATE mail_folders SET delta_link = $4,
         round_is_fresh = CASE WHEN $5::boolean THEN false ELSE round_is_fresh END,
         last_synced_at = CASE WHEN $5::boolean THEN now() ELSE last_synced_at END
       WHERE user_id = $1 AND graph_id = $2 AND round = $3::bigint`,
      [userId, graphId, round, link, roundDone],
    )) as [unknown, number];
    if (affected !== 1) throw new Error(`folder ${graphId} of user ${userId} changed round under this page`);
  }
}
