// The emulator's own state of a mailbox against the `emails` table, field by field: what a user sees of each
// message (which folder, read or not, flagged or not, its subject) and its change key, for every message.
import type { DataSource } from 'typeorm';
import { foldersOf } from './ground-truth';

type Control = (method: string, path: string, body?: unknown) => Promise<unknown>;

export interface MessageState {
  folder: string;
  isRead: boolean;
  flag: string;
  subject: string;
  changeKey: string;
}

interface EmulatorMessage {
  id: string;
  parentFolderId: string;
  isRead: boolean;
  flagStatus: string;
  subject: string;
  changeKey: string;
}

/** Every message of the mailbox by id, as the emulator holds it. */
export async function emulatorMessages(
  control: Control,
  address: string,
): Promise<Map<string, MessageState>> {
  const truth = new Map<string, MessageState>();
  for (const folder of await foldersOf(control, address)) {
    const { value } = (await control(
      'GET',
      `/mailboxes/${address}/folders/${encodeURIComponent(folder.id)}/messages`,
    )) as { value: EmulatorMessage[] };
    for (const m of value) {
      truth.set(m.id, {
        folder: m.parentFolderId,
        isRead: m.isRead,
        flag: m.flagStatus,
        subject: m.subject,
        changeKey: m.changeKey,
      });
    }
  }
  return truth;
}

/** Every row of the user's copy by Graph id. */
export async function copiedMessages(db: DataSource, userId: string): Promise<Map<string, MessageState>> {
  const rows = (await db.query(
    `SELECT graph_id, folder_graph_id, is_read, flag_status, subject, change_key FROM emails WHERE user_id = $1`,
    [userId],
  )) as Array<{
    graph_id: string;
    folder_graph_id: string;
    is_read: boolean;
    flag_status: string | null;
    subject: string | null;
    change_key: string | null;
  }>;
  return new Map(
    rows.map((r) => [
      r.graph_id,
      {
        folder: r.folder_graph_id,
        isRead: r.is_read,
        flag: r.flag_status ?? 'notFlagged',
        subject: r.subject ?? '',
        changeKey: r.change_key ?? '',
      },
    ]),
  );
}

/**
 * What differs between the mailbox and the copy, one line per message (empty when the copy is exact):
 * missing rows, rows of messages that do not exist, and each field that differs.
 */
export async function copyDifferences(
  db: DataSource,
  control: Control,
  address: string,
  userId: string,
): Promise<string[]> {
  const [truth, copy] = [await emulatorMessages(control, address), await copiedMessages(db, userId)];
  const out: string[] = [];
  for (const [id, t] of truth) {
    const c = copy.get(id);
    if (!c) {
      out.push(`missing ${id} (${t.subject})`);
      continue;
    }
    for (const field of ['folder', 'isRead', 'flag', 'subject', 'changeKey'] as const) {
      if (c[field] !== t[field])
        out.push(`${id} ${field}: copy ${String(c[field])}, mailbox ${String(t[field])}`);
    }
  }
  for (const id of copy.keys()) if (!truth.has(id)) out.push(`extra ${id}`);
  return out;
}
