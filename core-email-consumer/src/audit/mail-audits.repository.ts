import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { col, defineTable } from '@core-email/platform';
import type { StoredMessage } from './audit-diff';
import type { AuditStatus, FolderReport } from './folder-report';

/** One folder of one audit (see the create-mail-audits migration). */
export const mailAuditsTable = defineTable({
  name: 'mail_audits',
  columns: {
    id: col.bigint(),
    audit_id: col.uuid(),
    user_id: col.uuid(),
    folder_graph_id: col.text(),
    folder_name: col.text(),
    checked_at: col.timestamptz(),
    stored: col.integer(),
    at_graph: col.integer(),
    missing: col.integer(),
    extra: col.integer(),
    stale: col.integer(),
    repaired: col.integer(),
    status: col.text<AuditStatus>(),
    error: col.text().orNull(),
  },
  indexes: {
    mail_audits_audit_folder_key: 'UNIQUE USING btree (audit_id, folder_graph_id)',
    mail_audits_user_checked_idx: 'USING btree (user_id, checked_at DESC)',
  },
});

/** A mailbox's audit state: the on-demand audit queued (by the producer), the scheduler's last one. */
export const mailAuditMailboxesTable = defineTable({
  name: 'mail_audit_mailboxes',
  columns: {
    user_id: col.uuid(),
    requested_at: col.timestamptz().orNull(),
    scheduled_at: col.timestamptz().orNull(),
  },
  indexes: { mail_audit_mailboxes_pkey: 'UNIQUE USING btree (user_id)' },
});

/** Audits kept per mailbox (besides its latest proof of completeness, which is always kept). */
const AUDITS_KEPT = 10;

/** A folder of the copy, and whether its sync has finished a round (the audit repairs only those). */
export interface CopyFolder {
  graphId: string;
  name: string;
  synced: boolean;
}

/** All I/O of the audit on mail_audits, mail_audit_mailboxes, and its reads of the copy. On the primary. */
@Injectable()
export class MailAuditsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The database's clock: requests are stamped with it by the producer, and compared with it here. */
  async now(): Promise<Date> {
    const [row] = (await this.db.query(`SELECT now() AS now`)) as { now: Date }[];
    return row.now;
  }

  folders(userId: string): Promise<CopyFolder[]> {
    return this.db.query(
      `SELECT graph_id AS "graphId", display_name AS name,
              (delta_link IS NOT NULL AND NOT round_is_fresh) AS synced
         FROM mail_folders WHERE user_id = $1`,
      [userId],
    );
  }

  storedMessages(userId: string): Promise<StoredMessage[]> {
    return this.db.query(
      `SELECT graph_id AS "graphId", change_key AS "changeKey", folder_graph_id AS "folderId"
         FROM emails WHERE user_id = $1`,
      [userId],
    );
  }

  /**
   * The audit's folders in one transaction, with the requests it answers (those made before it started)
   * cleared and old audits pruned.
   */
  async record(userId: string, auditId: string, startedAt: Date, reports: FolderReport[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO mail_audits (audit_id, user_id, folder_graph_id, folder_name, stored, at_graph, missing,
           extra, stale, repaired, status, error)
         SELECT $1::uuid, $2::uuid, r."folderId", r.name, r.stored, r."atGraph", r.missing, r.extra, r.stale,
           r.repaired, r.status, r.error
           FROM jsonb_to_recordset($3::jsonb) AS r("folderId" text, name text, stored integer,
             "atGraph" integer, missing integer, extra integer, stale integer, repaired integer, status text,
             error text)`,
        [auditId, userId, JSON.stringify(reports)],
      );
      await this.clearRequests(userId, startedAt, tx);
      await tx.query(PRUNE, [userId, AUDITS_KEPT]);
    });
  }

  /** Requests made before `startedAt` are answered by the audit that started then. */
  async clearRequests(userId: string, startedAt: Date, db: EntityManager = this.db.manager): Promise<void> {
    await db.query(
      `UPDATE mail_audit_mailboxes SET requested_at = NULL WHERE user_id = $1 AND requested_at <= $2`,
      [userId, startedAt],
    );
  }

  /** An audit that could not run: every folder of the copy failed with `error`. */
  async recordFailure(userId: string, auditId: string, startedAt: Date, error: string): Promise<void> {
    const reports = (await this.db.query(
      `SELECT f.graph_id AS "folderId", f.display_name AS name,
              (SELECT count(*)::int FROM emails e WHERE e.user_id = f.user_id AND e.folder_graph_id = f.graph_id)
                AS stored
         FROM mail_folders f WHERE f.user_id = $1`,
      [userId],
    )) as Array<Pick<FolderReport, 'folderId' | 'name' | 'stored'>>;
    await this.record(
      userId,
      auditId,
      startedAt,
      reports.map((r) => ({
        ...r,
        atGraph: 0,
        missing: 0,
        extra: 0,
        stale: 0,
        repaired: 0,
        status: 'failed' as const,
        error: error.slice(0, 2_000),
      })),
    );
  }

  /**
   * Connected mailboxes whose first sync finished and that have not been audited (or queued for one) for
   * `intervalHours`, longest waiting first.
   */
  async dueMailboxes(intervalHours: number, limit: number): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT a.user_id FROM outlook_accounts a
         LEFT JOIN mail_audit_mailboxes m ON m.user_id = a.user_id
         CROSS JOIN LATERAL (SELECT greatest(m.scheduled_at, a.connected_at,
           (SELECT max(checked_at) FROM mail_audits x WHERE x.user_id = a.user_id)) AS at) last
        WHERE a.status = 'connected'
          AND EXISTS (SELECT 1 FROM mail_folders f WHERE f.user_id = a.user_id AND f.delta_link IS NOT NULL)
          AND last.at <= now() - make_interval(hours => $1)
        ORDER BY last.at LIMIT $2`,
      [intervalHours, limit],
    )) as { user_id: string }[];
    return rows.map((r) => r.user_id);
  }

  async markScheduled(userIds: string[]): Promise<void> {
    await this.db.query(
      `INSERT INTO mail_audit_mailboxes (user_id, scheduled_at) SELECT unnest($1::uuid[]), now()
       ON CONFLICT (user_id) DO UPDATE SET scheduled_at = EXCLUDED.scheduled_at`,
      [userIds],
    );
  }
}

/** Keeps the latest audits of a user and the latest one that proved the mailbox complete. */
const PRUNE = `
  WITH audits AS (
    SELECT audit_id, max(checked_at) AS at, bool_and(status <> 'failed') AS proven
      FROM mail_audits WHERE user_id = $1 GROUP BY audit_id
  ), keep AS (
    (SELECT audit_id FROM audits ORDER BY at DESC LIMIT $2)
    UNION (SELECT audit_id FROM audits WHERE proven ORDER BY at DESC LIMIT 1)
  )
  DELETE FROM mail_audits WHERE user_id = $1 AND audit_id NOT IN (SELECT audit_id FROM keep)`;
