import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SyncEmailMessage } from '@core-email/contracts';
import { col, defineTable } from '@core-email/platform';
import { DataSource } from 'typeorm';

export type SyncRunStatus = 'running' | 'finished' | 'failed' | 'stuck';

/** One `sync_email` job; its id is the message's runId, so a redelivered job finds its own row. */
export const syncRunsTable = defineTable({
  name: 'sync_runs',
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    mode: col.text<'incremental' | 'full'>(),
    reason: col.text(),
    status: col.text<SyncRunStatus>(),
    started_at: col.timestamptz(),
    finished_at: col.timestamptz().orNull(),
    last_progress_at: col.timestamptz(),
    messages_synced: col.integer(),
    error: col.text().orNull(),
  },
  indexes: {
    // The latest run of a user (GET /api/mail/sync), and the stuck-run sweep.
    sync_runs_user_started_idx: 'USING btree (user_id, started_at DESC)',
    sync_runs_running_idx: "USING btree (last_progress_at) WHERE (status = 'running'::text)",
  },
});

/** All I/O on `sync_runs` (on the primary). */
@Injectable()
export class SyncRunsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records the run, or finds it when the job was delivered before (same runId); `no_such_user` when the
   * user is gone (deleted accounts take their runs with them).
   */
  async begin(job: SyncEmailMessage): Promise<SyncRunStatus | 'no_such_user'> {
    await this.db.query(
      `INSERT INTO sync_runs (id, user_id, mode, reason, status)
       SELECT $1, id, $3, $4, 'running' FROM users WHERE id = $2
       ON CONFLICT (id) DO NOTHING`,
      [job.runId, job.userId, job.mode, job.reason],
    );
    const [row] = (await this.db.query(`SELECT status, user_id FROM sync_runs WHERE id = $1`, [
      job.runId,
    ])) as {
      status: SyncRunStatus;
      user_id: string;
    }[];
    if (!row) return 'no_such_user';
    // A runId is a uuid minted per job; one that names another user's run is not ours to touch.
    if (row.user_id !== job.userId) throw new Error(`run ${job.runId} belongs to another user`);
    return row.status;
  }

  async progress(runId: string, messagesSynced: number): Promise<void> {
    await this.db.query(
      `UPDATE sync_runs SET last_progress_at = now(), messages_synced = $2, status = 'running'
       WHERE id = $1 AND status IN ('running', 'stuck')`,
      [runId, messagesSynced],
    );
  }

  async finish(runId: string, messagesSynced: number): Promise<void> {
    await this.db.query(
      `UPDATE sync_runs SET status = 'finished', finished_at = now(), last_progress_at = now(),
         messages_synced = $2, error = NULL WHERE id = $1`,
      [runId, messagesSynced],
    );
  }

  async fail(runId: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE sync_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`,
      [runId, error.slice(0, 2000)],
    );
  }

  /** Has this mailbox finished a sync before this run? The first one starts real-time updates. */
  async finishedBefore(userId: string, runId: string): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM sync_runs WHERE user_id = $1 AND id <> $2 AND status = 'finished' LIMIT 1`,
      [userId, runId],
    )) as unknown[];
    return rows.length > 0;
  }
}
