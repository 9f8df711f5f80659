import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MailWrites } from '../mail-writes';
import { EmailsRepository } from '../repositories/emails.repository';
import { MailFoldersRepository } from '../repositories/mail-folders.repository';
import { ApplyDeltaPageCommand, AppliedPage } from './apply-delta-page.command';

@CommandHandler(ApplyDeltaPageCommand)
export class ApplyDeltaPageHandler implements ICommandHandler<ApplyDeltaPageCommand, AppliedPage> {
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
  async execute(c: ApplyDeltaPageCommand): Promise<AppliedPage> {
    const applied = await this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL synchronous_commit = off`);
      const written = await this.emails.upsertPage(tx, c.userId, c.round, c.upserts);
      const removed = await this.emails.deleteFromFolder(tx, c.userId, c.folderGraphId, c.removedIds);
      const reconciled =
        c.roundDone && c.roundIsFresh
          ? await this.emails.deleteUnseen(tx, c.userId, c.folderGraphId, c.round)
          : 0;
      await this.folders.saveLink(tx, c.userId, c.folderGraphId, c.round, c.link, c.roundDone);
      return { written, removed, reconciled };
    });
    // A page that changed no mail (most real-time folder deltas) leaves the read caches valid.
    if (applied.written + applied.removed + applied.reconciled > 0) await this.writes.committed(c.userId);
    return applied;
  }
}
