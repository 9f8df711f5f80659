import type { DataSource, QueryRunner } from 'typeorm';

/*
 * Where a server's write-ahead log stands: what read-your-writes compares. The consumer records the primary's
 * position after a commit (recordMailWrite); a read trusts a replica only once it has replayed that far
 * (producer MailReadSource). Questions to the server about itself, not about a table.
 */

/** The primary's position now: taken right after a commit, it includes that commit's record. */
export async function currentWalPosition(primary: DataSource): Promise<string> {
  const [row] = (await primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as { lsn: string }[];
  return row.lsn;
}

/** Whether the server `db` runs on has `lsn`: a server not in recovery is a primary, always current. */
export async function hasReplayed(db: QueryRunner, lsn: string): Promise<boolean> {
  const [row] = (await db.query(
    `SELECT pg_is_in_recovery() AS standby,
            coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up`,
    [lsn],
  )) as { standby: boolean; caught_up: boolean }[];
  return !row.standby || row.caught_up;
}
