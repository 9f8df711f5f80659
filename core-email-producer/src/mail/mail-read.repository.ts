import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { encodeCursor, MailCursor } from './mail-cursor';
import type { FolderView, SyncRunView, SyncStatusView } from './mailbox.dto';
import type { MessagePageView, MessageSummaryView, MessageView } from './message.dto';

type Row = Record<string, unknown>;

const SUMMARY_COLUMNS = `e.id::text AS row_id, u.user_name, e.graph_id, e.folder_graph_id,
  e.sender_name, e.sender_address, e.from_name, e.from_address, e.to_recipients, e.subject, e.body_preview,
  e.importance, e.has_attachments, e.is_read, e.flag_status, e.received_at,
  to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_key`;

export interface MessagePageRequest {
  userId: string;
  folderId?: string;
  limit: number;
  cursor?: MailCursor;
}

/**
 * Every read of the mail copy. Each method runs on the query runner it is given (a replica, or the primary
 * when the replica lags the user's last write) and filters by the caller's user id in SQL.
 */
@Injectable()
export class MailReadRepository {
  /** Keyset page on (received_at DESC, id DESC), the order of the emails_user_*received_idx indexes. */
  async messagePage(db: QueryRunner, req: MessagePageRequest): Promise<MessagePageView> {
    const params: unknown[] = [req.userId];
    const where = ['e.user_id = $1'];
    if (req.folderId !== undefined) {
      params.push(req.folderId);
      where.push(`e.folder_graph_id = $${params.length}`);
    }
    if (req.cursor) where.push(afterCursor(req.cursor, params));
    params.push(req.limit + 1);
    const rows = (await db.query(
      `SELECT ${SUMMARY_COLUMNS} FROM emails e JOIN users u ON u.id = e.user_id
       WHERE ${where.join(' AND ')}
       ORDER BY e.received_at DESC, e.id DESC LIMIT $${params.length}`,
      params,
    )) as Row[];
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toSummary),
      nextCursor:
        rows.length > req.limit
          ? encodeCursor({ receivedAt: last.received_key as string | null, id: last.row_id as string })
          : null,
    };
  }

  async message(db: QueryRunner, userId: string, graphId: string): Promise<MessageView | null> {
    const [row] = (await db.query(
      `SELECT ${SUMMARY_COLUMNS}, e.body_content, e.body_type, e.cc_recipients, e.bcc_recipients,
         e.categories, e.is_draft, e.web_link, e.internet_message_id, e.conversation_id, e.sent_at,
         e.last_modified_at
       FROM emails e JOIN users u ON u.id = e.user_id
       WHERE e.user_id = $1 AND e.graph_id = $2`,
      [userId, graphId],
    )) as Row[];
    if (!row) return null;
    return {
      ...toSummary(row),
      body: {
        content: row.body_content as string | null,
        contentType: row.body_type as MessageView['body']['contentType'],
      },
      ccRecipients: row.cc_recipients as MessageView['ccRecipients'],
      bccRecipients: row.bcc_recipients as MessageView['bccRecipients'],
      categories: row.categories as string[],
      isDraft: row.is_draft as boolean,
      webLink: row.web_link as string | null,
      internetMessageId: row.internet_message_id as string | null,
      conversationId: row.conversation_id as string | null,
      sentAt: iso(row.sent_at),
      lastModifiedAt: iso(row.last_modified_at),
    };
  }

  async folders(db: QueryRunner, userId: string): Promise<FolderView[]> {
    const rows = (await db.query(
      `SELECT f.graph_id, f.parent_graph_id, f.display_name, f.total_count, f.unread_count,
         (SELECT count(*)::int FROM emails e
           WHERE e.user_id = f.user_id AND e.folder_graph_id = f.graph_id) AS stored_count
       FROM mail_folders f WHERE f.user_id = $1
       ORDER BY f.display_name, f.graph_id`,
      [userId],
    )) as Row[];
    return rows.map((r) => ({
      id: r.graph_id as string,
      parentId: r.parent_graph_id as string | null,
      name: r.display_name as string,
      totalCount: r.total_count as number,
      unreadCount: r.unread_count as number,
      storedCount: r.stored_count as number,
    }));
  }

  async syncStatus(db: QueryRunner, userId: string): Promise<SyncStatusView> {
    const [account] = (await db.query(
      `SELECT status, delivery_mode FROM outlook_accounts WHERE user_id = $1`,
      [userId],
    )) as Row[];
    const [run] = (await db.query(
      `SELECT id, status, mode, reason, started_at, finished_at, last_progress_at, messages_synced, error
       FROM sync_runs WHERE user_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1`,
      [userId],
    )) as Row[];
    return {
      connection: account ? (account.status as SyncStatusView['connection']) : 'not_connected',
      deliveryMode: account ? (account.delivery_mode as SyncStatusView['deliveryMode']) : null,
      run: run
        ? {
            id: run.id as string,
            status: run.status as SyncRunView['status'],
            mode: run.mode as SyncRunView['mode'],
            reason: run.reason as string,
            startedAt: iso(run.started_at)!,
            finishedAt: iso(run.finished_at),
            lastProgressAt: iso(run.last_progress_at)!,
            messagesSynced: run.messages_synced as number,
            error: run.error as string | null,
          }
        : null,
    };
  }
}

/**
 * Rows after the cursor in (received_at DESC NULLS FIRST, id DESC) order. A row comparison never matches a
 * NULL received_at, which is right once past the NULLs (they sort first) and is handled apart before.
 */
function afterCursor(cursor: MailCursor, params: unknown[]): string {
  params.push(cursor.id);
  const id = `$${params.length}::bigint`;
  if (cursor.receivedAt === null) {
    return `((e.received_at IS NULL AND e.id < ${id}) OR e.received_at IS NOT NULL)`;
  }
  params.push(cursor.receivedAt);
  return `(e.received_at, e.id) < ($${params.length}::timestamptz, ${id})`;
}

function toSummary(r: Row): MessageSummaryView {
  return {
    id: r.graph_id as string,
    folderId: r.folder_graph_id as string,
    userName: r.user_name as string,
    sender: { name: r.sender_name as string | null, address: r.sender_address as string | null },
    from: { name: r.from_name as string | null, address: r.from_address as string | null },
    toRecipients: r.to_recipients as MessageSummaryView['toRecipients'],
    subject: r.subject as string | null,
    bodyPreview: r.body_preview as string | null,
    importance: r.importance as MessageSummaryView['importance'],
    hasAttachments: r.has_attachments as boolean,
    isRead: r.is_read as boolean,
    flagStatus: r.flag_status as MessageSummaryView['flagStatus'],
    receivedAt: iso(r.received_at),
  };
}

function iso(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}
