import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { MailReadRepository } from '../mail-read.repository';
import { MailReader } from '../mail-reader.service';
import type { FolderListView } from '../mailbox.dto';

export class ListFoldersQuery extends Query<FolderListView> {
  constructor(readonly userId: string) {
    super();
  }
}

@QueryHandler(ListFoldersQuery)
export class ListFoldersHandler implements IQueryHandler<ListFoldersQuery, FolderListView> {
  constructor(
    private readonly reader: MailReader,
    private readonly repository: MailReadRepository,
  ) {}

  execute(q: ListFoldersQuery): Promise<FolderListView> {
    return this.reader.read(
      q.userId,
      'folders',
      async (db) => ({ items: await this.repository.folders(db, q.userId) }),
      (list) => list.items.length > 0,
    );
  }
}
