// What the sync panel shows: the latest live `sync` event, or before one arrives the run that
// GET /api/mail/sync reported (which knows how many messages were synced but not the folder totals).
import type { SyncEvent, SyncRun } from '../../api/models';

export function progressOf(live: SyncEvent | null, run: SyncRun | null | undefined): SyncEvent | null {
  if (live && (!run || live.runId === run.id || live.at >= run.lastProgressAt)) return live;
  if (!run) return null;
  return {
    runId: run.id,
    status: run.status,
    done: run.messagesSynced,
    total: run.status === 'finished' ? run.messagesSynced : 0,
    folders: [],
    error: run.error ?? undefined,
    at: run.lastProgressAt,
  };
}
