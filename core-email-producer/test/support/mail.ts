import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface TestEmail {
  graphId: string;
  folderId: string;
  subject: string;
  receivedAt: string | null;
  isRead: boolean;
}

/**
 * Puts messages straight into `emails` on the primary, as the sync would, so read tests control the data.
 * `receivedAt(i)` defaults to one message per minute going back from now, with some shared times so the
 * id tie-break is exercised.
 */
export async function insertEmails(
  db: DataSource,
  userId: string,
  count: number,
  options: { folderId?: string; receivedAt?: (i: number) => string | null; prefix?: string } = {},
): Promise<TestEmail[]> {
  const base = Date.now();
  const emails: TestEmail[] = Array.from({ length: count }, (_, i) => ({
    graphId: `${options.prefix ?? 'msg'}-${randomUUID()}`,
    folderId: options.folderId ?? 'inbox',
    subject: `subject ${i}`,
    receivedAt: options.receivedAt
      ? options.receivedAt(i)
      : new Date(base - Math.floor(i / 3) * 60_000).toISOString(),
    isRead: i % 2 === 0,
  }));
  await db.query(
    `INSERT INTO emails (user_id, graph_id, folder_graph_id, subject, body_preview, body_content, body_type,
       sender_name, sender_address, from_name, from_address, to_recipients, cc_recipients, importance,
       is_read, flag_status, received_at, categories, web_link, internet_message_id, conversation_id)
     SELECT $1, x.graph_id, x.folder_id, x.subject, 'preview of ' || x.subject, '<p>' || x.subject || '</p>',
       'html', 'Sender', 'sender@contoso.test', 'From', 'from@contoso.test',
       '[{"name":"To","address":"to@contoso.test"}]', '[{"name":"Cc","address":"cc@contoso.test"}]',
       'normal', x.is_read, 'notFlagged', x.received_at, '{Blue}', 'https://outlook.test/' || x.graph_id,
       '<' || x.graph_id || '@contoso.test>', 'conv-1'
     FROM jsonb_to_recordset($2::jsonb)
       AS x(graph_id text, folder_id text, subject text, is_read boolean, received_at timestamptz)`,
    [
      userId,
      JSON.stringify(
        emails.map((e) => ({
          graph_id: e.graphId,
          folder_id: e.folderId,
          subject: e.subject,
          is_read: e.isRead,
          received_at: e.receivedAt,
        })),
      ),
    ],
  );
  return emails;
}

export async function insertFolder(
  db: DataSource,
  userId: string,
  folder: { id: string; name: string; parentId?: string; total?: number; unread?: number },
): Promise<void> {
  await db.query(
    `INSERT INTO mail_folders (user_id, graph_id, parent_graph_id, display_name, total_count, unread_count)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [userId, folder.id, folder.parentId ?? null, folder.name, folder.total ?? 0, folder.unread ?? 0],
  );
}

/**
 * The order the API promises, computed here from the stored row ids: received time newest first (a
 * missing time first, as PostgreSQL sorts NULL under DESC), then the row id, highest first.
 */
export async function expectedOrder(db: DataSource, userId: string, folderId?: string): Promise<string[]> {
  const rows = (await db.query(
    `SELECT graph_id, id::text AS id, received_at FROM emails
     WHERE user_id = $1 AND ($2::text IS NULL OR folder_graph_id = $2)`,
    [userId, folderId ?? null],
  )) as { graph_id: string; id: string; received_at: Date | null }[];
  const time = (d: Date | null) => (d === null ? Number.POSITIVE_INFINITY : d.getTime());
  return rows
    .sort((a, b) => time(b.received_at) - time(a.received_at) || Number(BigInt(b.id) - BigInt(a.id)))
    .map((r) => r.graph_id);
}
