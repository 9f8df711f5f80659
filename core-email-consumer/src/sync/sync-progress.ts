import type { EmailAckMessage } from '@core-email/contracts';

interface FolderProgress {
  folderId: string;
  name: string;
  done: number;
  total: number;
}

/**
 * Progress of one run: per folder done/total (total from the folder's item count) and a clock that says
 * when the next `running` ack is due, so a fast sync does not flood Kafka with acks.
 */
export class SyncProgress {
  private readonly folders = new Map<string, FolderProgress>();
  private lastSentAt = 0;
  messagesSynced = 0;
  skipped = 0;

  constructor(
    private readonly userId: string,
    private readonly runId: string,
    private readonly intervalMs: number,
  ) {}

  addFolder(folderId: string, name: string, total: number): void {
    this.folders.set(folderId, { folderId, name: name.slice(0, 256), done: 0, total });
  }

  /** Items of a page of this folder (a changed message counts once however often Graph repeats it). */
  advance(folderId: string, items: number, skipped: number): void {
    const folder = this.folders.get(folderId);
    this.messagesSynced += items;
    this.skipped += skipped;
    if (folder) folder.done = Math.min(folder.done + items, folder.total);
  }

  folderDone(folderId: string): void {
    const folder = this.folders.get(folderId);
    if (folder) folder.done = folder.total;
  }

  /** True once per interval: time to tell the dashboard. */
  due(now = Date.now()): boolean {
    if (now - this.lastSentAt < this.intervalMs) return false;
    this.lastSentAt = now;
    return true;
  }

  ack(status: EmailAckMessage['status'], error?: string): EmailAckMessage {
    const folders = [...this.folders.values()].slice(0, 10_000).map((f) => ({ ...f }));
    return {
      userId: this.userId,
      runId: this.runId,
      status,
      done: folders.reduce((n, f) => n + f.done, 0),
      total: folders.reduce((n, f) => n + f.total, 0),
      folders,
      ...(error === undefined ? {} : { error: error.slice(0, 2000) }),
      at: new Date().toISOString(),
    };
  }
}
