import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RowBatch } from './graph/row-batch';
import { MailWrites } from './mail-writes';
import { EmailsRepository } from './repositories/emails.repository';
import { MailFoldersRepository } from './repositories/mail-folders.repository';

/** One delta page of one folder: its messages, its removals and where the delta continues. */
export interface DeltaPageWrite {
  userId: string;
  folderGraphId: string;
  /** The folder's current round (see mail_folders.round). */
  round: string;
  /** The round started from scratch: its last page deletes what it did not see. */
  roundIsFresh: boolean;
  upserts: RowBatch;
  removedIds: string[];
  /** The next link, or the delta link when this page ends the round. */
  link: string;
  roundDone: boolean;
}

export interface AppliedPage {
  written: number;
  removed: number;
  reconciled: number;
}

/**
 * The sync's unit of work: a page is written in one transaction with its link, so a crash resumes from the
 * last committed page and never duplicates.
 */
@Injectable()
export class DeltaPageWriter {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly emails: EmailsRepository,
    private readonly folders: MailFoldersRepository,
    private readonly writes: MailWrites,
  ) {}

  /**
   * DataSource.transaction runs on the primary (the replication master). The page commits without waiting
   * for its WAL flush: if PostgreSQL itself crashed, a page and its link would be lost together (atomically)
   * and simply fetched again, and the run's final status commits synchronously, flushing every page before it.
   */
  async write(page: DeltaPageWrite): Promise<AppliedPage> {
    const { userId, folderGraphId, round } = page;
    const applied = await this.db.transaction(async (tx) => {
      await this.folders.commitWithoutFlush(tx);
      const written = await this.emails.upsertPage(tx, userId, round, page.upserts);
      const removed = await this.emails.deleteFromFolder(tx, userId, folderGraphId, page.removedIds);
      const reconciled =
        page.roundDone && page.roundIsFresh
          ? await this.emails.deleteUnseen(tx, userId, folderGraphId, round)
          : 0;
      await this.folders.saveLink(tx, {
        userId,
        graphId: folderGraphId,
        round,
        link: page.link,
        roundDone: page.roundDone,
      });
      return { written, removed, reconciled };
    });
    // A page that changed no mail (most real-time folder deltas) leaves the read caches valid.
    if (applied.written + applied.removed + applied.reconciled > 0) await this.writes.committed(userId);
    return applied;
  }
}
