// The comparison itself, with no I/O: what Graph lists against what the copy stores.

export type DifferenceKind = 'missing' | 'extra' | 'stale';

export interface Difference {
  id: string;
  kind: DifferenceKind;
  /**
   * The folder the difference counts in: where Graph lists the message (missing, stale) or where the copy
   * stores it (extra).
   */
  folderId: string;
}

export interface ListedMessage {
  changeKey: string | null;
  folderId: string;
}

export interface StoredMessage {
  graphId: string;
  changeKey: string | null;
  folderId: string;
}

/**
 * missing: listed, not stored anywhere. stale: listed, but stored with another change key or in another
 * folder. extra: stored, listed nowhere in the mailbox. "Nowhere" is decided over every folder's listing, so
 * a message that moved between two listings is stale (or missed by both, and then confirmed by id before
 * anything is deleted), never deleted for being absent from one folder. Rows stored in a folder whose
 * listing is unknown (`unlisted`) are not judged.
 */
export function findDifferences(
  listed: ReadonlyMap<string, ListedMessage>,
  stored: readonly StoredMessage[],
  unlisted: ReadonlySet<string>,
): Difference[] {
  const differences: Difference[] = [];
  const storedIds = new Set<string>();
  for (const row of stored) {
    storedIds.add(row.graphId);
    const atGraph = listed.get(row.graphId);
    if (!atGraph) {
      if (!unlisted.has(row.folderId)) {
        differences.push({ id: row.graphId, kind: 'extra', folderId: row.folderId });
      }
      continue;
    }
    if (atGraph.folderId !== row.folderId || atGraph.changeKey !== row.changeKey) {
      differences.push({ id: row.graphId, kind: 'stale', folderId: atGraph.folderId });
    }
  }
  for (const [id, atGraph] of listed) {
    if (!storedIds.has(id)) differences.push({ id, kind: 'missing', folderId: atGraph.folderId });
  }
  return differences;
}

/** Rows per folder of the copy. */
export function countByFolder(stored: readonly StoredMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of stored) counts.set(row.folderId, (counts.get(row.folderId) ?? 0) + 1);
  return counts;
}
