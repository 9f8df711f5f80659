import type { Cluster } from 'ioredis';
import type { DataSource } from 'typeorm';
import { withRedisDeadline } from '../redis/redis-deadline';

/**
 * The per-user "mail changed" mark shared by the writer (consumer) and the read API (producer):
 *
 * - `mail:{u:<id>}:version` is bumped on every committed write; the read cache puts it in every key, so one
 *   INCR makes every cached page of that user unreachable (they expire on their short TTL).
 * - `mail:{u:<id>}:lsn` is the primary's WAL position right after the user's latest write; a replica that has
 *   not replayed that far would serve a stale page, so the read API goes to the primary instead.
 *
 * The `{u:<id>}` hash tag keeps both keys in one slot: they are written by one script and read by one MGET.
 */
export function mailCacheKey(userId: string, suffix: string): string {
  return `mail:{u:${userId}}:${suffix}`;
}

/**
 * How long a writer waits for the version bump: long enough to outlast a master's failover (~3 s on the
 * stack), so the bump usually lands; past it DependencyUnavailable, and the write's cached pages live out
 * their short TTL.
 */
export const MAIL_WRITE_MARK_DEADLINE_MS = 5_000;

/**
 * The recorded LSN outlives any sensible replica lag; after that a replica is trusted again. The version
 * lives as long after the user's last write (refreshed by each): far longer than any cached page, so when it
 * lapses and starts again at 1 no page cached under an old number is left, and a deleted user's marks go.
 */
const MARK_TTL_SECONDS = 86_400;

/** LSNs as 16 hex digits, so the script can keep the greatest with a plain string comparison. */
export function padLsn(lsn: string): string {
  const [high, low] = lsn.split('/');
  return high.padStart(8, '0').toUpperCase() + low.padStart(8, '0').toUpperCase();
}

/** Back to PostgreSQL's `X/Y` text form (a pg_lsn literal). */
export function unpadLsn(padded: string): string {
  return `${padded.slice(0, 8).replace(/^0+(?=.)/, '')}/${padded.slice(8).replace(/^0+(?=.)/, '')}`;
}

// Keeps the greatest LSN: two pages of one user may finish out of order on different connections.
const RECORD_SCRIPT = `
local version = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local current = redis.call('GET', KEYS[2])
if (not current) or ARGV[1] > current then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
end
return version`;

/**
 * Call after a write to the user's mail has committed on the primary. The LSN is read after the commit:
 * one taken inside the transaction would precede the commit record, and a replica replayed only that far
 * would not show the rows yet.
 */
export async function recordMailWrite(
  redis: Cluster,
  primary: DataSource,
  userId: string,
  deadlineMs = MAIL_WRITE_MARK_DEADLINE_MS,
): Promise<void> {
  const [row] = (await primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`)) as { lsn: string }[];
  await markMailWrite(redis, userId, row.lsn, deadlineMs);
}

/**
 * The Redis half of recordMailWrite, for a caller that already knows the LSN. DependencyUnavailable when
 * Redis does not answer within `deadlineMs`.
 */
export async function markMailWrite(
  redis: Cluster,
  userId: string,
  lsn: string,
  deadlineMs = MAIL_WRITE_MARK_DEADLINE_MS,
): Promise<number> {
  const keys = [mailCacheKey(userId, 'version'), mailCacheKey(userId, 'lsn')];
  const version = await withRedisDeadline(redis, deadlineMs, () =>
    redis.eval(RECORD_SCRIPT, 2, ...keys, padLsn(lsn), MARK_TTL_SECONDS),
  );
  return Number(version);
}

export interface MailWriteMark {
  /** '0' before the first write. */
  version: string;
  /** `X/Y`, or null when no write was recorded (recently). */
  lsn: string | null;
}

/** DependencyUnavailable when Redis does not answer within `deadlineMs`. */
export async function readMailWriteMark(
  redis: Cluster,
  userId: string,
  deadlineMs = MAIL_WRITE_MARK_DEADLINE_MS,
): Promise<MailWriteMark> {
  const [version, lsn] = await withRedisDeadline(redis, deadlineMs, () =>
    redis.mget(mailCacheKey(userId, 'version'), mailCacheKey(userId, 'lsn')),
  );
  return { version: version ?? '0', lsn: lsn ? unpadLsn(lsn) : null };
}
