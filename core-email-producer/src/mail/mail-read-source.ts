import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MailWriteMark } from '@core-email/platform';
import { DataSource, QueryRunner } from 'typeorm';

export type ReadSource = 'replica' | 'primary';

/**
 * Where a user's read runs. The replica, unless it has not yet replayed the user's last recorded write
 * (read-your-writes), or the mark could not be read (Redis down: nothing says the replica is fresh enough).
 */
@Injectable()
export class MailReadSource {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async run<T>(mark: MailWriteMark | null, work: (db: QueryRunner) => Promise<T>): Promise<T> {
    const replica = this.db.createQueryRunner('slave');
    try {
      if (mark && (await this.caughtUp(replica, mark.lsn))) return await work(replica);
    } finally {
      await replica.release();
    }
    const primary = this.db.createQueryRunner('master');
    try {
      return await work(primary);
    } finally {
      await primary.release();
    }
  }

  /** Which source a read with this mark would use (what `run` decides; tests and diagnostics). */
  async choose(mark: MailWriteMark | null): Promise<ReadSource> {
    return this.run(mark, async (db) => (db.getReplicationMode() === 'slave' ? 'replica' : 'primary'));
  }

  /** A server that is not in recovery is a primary (no replica configured): always current. */
  private async caughtUp(replica: QueryRunner, lsn: string | null): Promise<boolean> {
    if (lsn === null) return true;
    const [row] = (await replica.query(
      `SELECT pg_is_in_recovery() AS standby,
              coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up`,
      [lsn],
    )) as { standby: boolean; caught_up: boolean }[];
    return !row.standby || row.caught_up;
  }
}
