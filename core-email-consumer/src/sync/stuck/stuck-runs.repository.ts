import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface StuckRun {
  runId: string;
  userId: string;
  messagesSynced: number;
  /** The user's folders' item counts: the denominator of the progress bar. */
  total: number;
}

/**
 * Marks runs without progress as stuck. One conditional UPDATE: a row is changed (and returned) by exactly
 * one replica, because a second UPDATE waits on the row lock and then no longer sees status = 'running'.
 */
const MARK_STUCK = `
  WITH marked AS (
    UPDATE sync_runs SET status = 'stuck'
     WHERE status = 'running' AND last_progress_at < now() - make_interval(secs => $1)
    RETURNING id, user_id, messages_synced
  )
  SELECT m.id AS "runId", m.user_id AS "userId", m.messages_synced AS "messagesSynced",
         COALESCE((SELECT sum(f.total_count) FROM mail_folders f WHERE f.user_id = m.user_id), 0)::int AS total
    FROM marked m`;

@Injectable()
export class StuckRunsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  markStuck(afterSeconds: number): Promise<StuckRun[]> {
    return this.db.query(MARK_STUCK, [afterSeconds]) as Promise<StuckRun[]>;
  }
}
