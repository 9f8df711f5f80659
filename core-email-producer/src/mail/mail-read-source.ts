import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hasReplayed, isDatabaseUnreachable, LOGGER, type MailWriteMark } from '@core-email/platform';
import type { Logger } from 'pino';
import { DataSource, QueryRunner } from 'typeorm';

export type ReadSource = 'replica' | 'primary';

/** How long an unreachable replica is left alone: each read would otherwise wait for its connect to fail. */
const REPLICA_DOWN_SKIP_MS = 5_000;

/**
 * Where a user's read runs. The replica, unless it has not yet replayed the user's last recorded write
 * (read-your-writes), or the mark could not be read (Redis down: nothing says the replica is fresh enough),
 * or the replica cannot be reached (down, restarting, shutting down): then the primary answers.
 */
@Injectable()
export class MailReadSource {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Until when the replica is skipped: after it proved unreachable, reads go straight to the primary. */
  private replicaDownUntil = 0;

  async run<T>(mark: MailWriteMark | null, work: (db: QueryRunner) => Promise<T>): Promise<T> {
    if (mark && Date.now() >= this.replicaDownUntil) {
      const answer = await this.onReplica(mark, work);
      if (answer) return answer.value;
    }
    const primary = this.db.createQueryRunner('master');
    try {
      return await work(primary);
    } finally {
      await primary.release();
    }
  }

  /** The read on the replica, or null when it must go to the primary (behind the mark, or unreachable). */
  private async onReplica<T>(
    mark: MailWriteMark,
    work: (db: QueryRunner) => Promise<T>,
  ): Promise<{ value: T } | null> {
    const replica = this.db.createQueryRunner('slave');
    try {
      const caughtUp = mark.lsn === null || (await hasReplayed(replica, mark.lsn));
      return caughtUp ? { value: await work(replica) } : null;
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      this.replicaDownUntil = Date.now() + REPLICA_DOWN_SKIP_MS;
      this.logger.warn({ err: describe(error) }, 'replica unreachable; reading from the primary');
      return null;
    } finally {
      await replica.release().catch(() => undefined);
    }
  }

  /** Which source a read with this mark would use (what `run` decides; tests and diagnostics). */
  async choose(mark: MailWriteMark | null): Promise<ReadSource> {
    return this.run(mark, async (db) => (db.getReplicationMode() === 'slave' ? 'replica' : 'primary'));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
