import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditFolderView, AuditStatusView } from './audit.dto';

/**
 * The audit record (mail_audits, written by the consumer) and the pending requests (mail_audit_mailboxes).
 * On the primary: a handful of rows per folder, read when the dashboard asks, and read right after this
 * service or the consumer wrote them, so no replica lag to reason about.
 */
@Injectable()
export class MailAuditsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records a request unless one younger than `ttlSeconds` is pending. Returns its time when this call
   * recorded it, undefined when one was pending (read it with `pendingSince`).
   */
  async request(tx: EntityManager, userId: string, ttlSeconds: number): Promise<Date | undefined> {
    const rows = (await tx.query(
      `INSERT INTO mail_audit_mailboxes (user_id, requested_at) VALUES ($1, now())
       ON CONFLICT (user_id) DO UPDATE SET requested_at = EXCLUDED.requested_at
         WHERE mail_audit_mailboxes.requested_at IS NULL
            OR mail_audit_mailboxes.requested_at < now() - make_interval(secs => $2)
       RETURNING requested_at`,
      [userId, ttlSeconds],
    )) as { requested_at: Date }[];
    return rows[0]?.requested_at;
  }

  /** The pending request, if one younger than `ttlSeconds` is (an older one's job is taken as lost). */
  async pendingSince(db: EntityManager, userId: string, ttlSeconds: number): Promise<Date | null> {
    const [row] = (await db.query(
      `SELECT requested_at FROM mail_audit_mailboxes
        WHERE user_id = $1 AND requested_at >= now() - make_interval(secs => $2)`,
      [userId, ttlSeconds],
    )) as { requested_at: Date }[];
    return row?.requested_at ?? null;
  }

  async status(userId: string, ttlSeconds: number): Promise<AuditStatusView> {
    const folders = (await this.db.query(
      `SELECT folder_graph_id AS "folderId", folder_name AS name, checked_at AS "checkedAt", stored,
              at_graph AS "atGraph", missing, extra, stale, repaired, status, error
         FROM mail_audits
        WHERE user_id = $1 AND audit_id = (
          SELECT audit_id FROM mail_audits WHERE user_id = $1 ORDER BY checked_at DESC, id DESC LIMIT 1)
        ORDER BY folder_name, folder_graph_id`,
      [userId],
    )) as Array<Omit<AuditFolderView, 'checkedAt'> & { checkedAt: Date }>;
    const [proof] = (await this.db.query(
      `SELECT max(at) AS at FROM (
         SELECT max(checked_at) AS at, bool_and(status <> 'failed') AS proven
           FROM mail_audits WHERE user_id = $1 GROUP BY audit_id) audits
        WHERE proven`,
      [userId],
    )) as { at: Date | null }[];
    const pending = await this.pendingSince(this.db.manager, userId, ttlSeconds);
    const views = folders.map((f) => ({ ...f, checkedAt: f.checkedAt.toISOString() }));
    return {
      requestedAt: pending?.toISOString() ?? null,
      lastProvenCompleteAt: proof?.at?.toISOString() ?? null,
      checkedAt: views[0]?.checkedAt ?? null,
      status: views.length === 0 ? null : overall(views),
      folders: views,
    };
  }
}

function overall(folders: AuditFolderView[]): AuditStatusView['status'] {
  if (folders.some((f) => f.status === 'failed')) return 'failed';
  return folders.some((f) => f.status === 'repaired') ? 'repaired' : 'complete';
}
