// The emulator's own state of a mailbox, compared with the `emails` table row by row.
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';

type Control = (method: string, path: string, body?: unknown) => Promise<unknown>;

interface EmulatorFolder {
  id: string;
  parentFolderId: string | null;
  totalItemCount: number;
}

export async function foldersOf(control: Control, address: string): Promise<EmulatorFolder[]> {
  return ((await control('GET', `/mailboxes/${address}`)) as { folders: EmulatorFolder[] }).folders;
}

/** Graph requests one folder listing takes: the top level, then one per folder that has children. */
export async function listingRequests(control: Control, address: string): Promise<number> {
  const folders = await foldersOf(control, address);
  const ids = new Set(folders.map((f) => f.id));
  return 1 + new Set(folders.map((f) => f.parentFolderId).filter((p) => p !== null && ids.has(p))).size;
}

/** Graph requests answered (throttled ones excluded: they were retried, not repeated work). */
export async function servedRequests(control: Control, address: string): Promise<number> {
  const c = (await control('GET', `/mailboxes/${address}/counters`)) as {
    requests: number;
    throttled: number;
  };
  return c.requests - c.throttled;
}

/** Every message of the mailbox is a row with the same id, change key and folder, and nothing else is. */
export async function assertMailboxExact(
  db: DataSource,
  control: Control,
  address: string,
  userId: string,
): Promise<number> {
  const truth = new Map<string, { changeKey: string; folder: string }>();
  for (const folder of await foldersOf(control, address)) {
    const { value } = (await control(
      'GET',
      `/mailboxes/${address}/folders/${encodeURIComponent(folder.id)}/messages`,
    )) as { value: Array<{ id: string; changeKey: string; parentFolderId: string }> };
    for (const m of value) truth.set(m.id, { changeKey: m.changeKey, folder: m.parentFolderId });
  }
  const rows = (await db.query(
    `SELECT graph_id, change_key, folder_graph_id FROM emails WHERE user_id = $1`,
    [userId],
  )) as Array<{ graph_id: string; change_key: string; folder_graph_id: string }>;
  assert.equal(rows.length, truth.size, 'as many rows as messages');
  for (const row of rows) {
    const t = truth.get(row.graph_id);
    assert.ok(t, `row ${row.graph_id} is a message of the mailbox`);
    assert.deepEqual([row.change_key, row.folder_graph_id], [t.changeKey, t.folder], row.graph_id);
  }
  return rows.length;
}
