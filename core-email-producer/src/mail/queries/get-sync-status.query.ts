import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { MailReadRepository } from '../mail-read.repository';
import { MailReader } from '../mail-reader.service';
import type { SyncStatusView } from '../mailbox.dto';

export class GetSyncStatusQuery extends Query<SyncStatusView> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(GetSyncStatusQuery)
export class GetSyncStatusHandler implements IQueryHandler<GetSyncStatusQuery, SyncStatusView> {
  constructor(
    private readonly reader: MailReader,
    private readonly repository: MailReadRepository,
  ) {}

  /**
   * Not cached: a run's progress and the connection change without a mail write (no version bump), and the
   * dashboard asks for this while a sync runs. It still reads the replica unless that lags the last write.
   */
  execute(q: GetSyncStatusQuery): Promise<SyncStatusView> {
    return this.reader.read(q.userId, null, (db) => this.repository.syncStatus(db, q.userId));
  }
}
