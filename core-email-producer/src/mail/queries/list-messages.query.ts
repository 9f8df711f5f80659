import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { encodeCursor, MailCursor } from '../mail-cursor';
import { MailReadRepository } from '../mail-read.repository';
import { MailReader } from '../mail-reader.service';
import type { MessagePageView } from '../message.dto';

/** One page of the caller's mail, newest first, optionally one folder's. */
export class ListMessagesQuery extends Query<MessagePageView> {
  constructor(
    readonly userId: string,
    readonly limit: number,
    readonly folderId?: string,
    readonly cursor?: MailCursor,
  ) {
    super();
  }
}

@QueryHandler(ListMessagesQuery)
export class ListMessagesHandler implements IQueryHandler<ListMessagesQuery, MessagePageView> {
  constructor(
    private readonly reader: MailReader,
    private readonly repository: MailReadRepository,
  ) {}

  execute(q: ListMessagesQuery): Promise<MessagePageView> {
    // The folder id is free text, so it goes into the key as JSON (no separator can be forged with it).
    const what = `list:${JSON.stringify([q.folderId ?? null, q.limit, q.cursor ? encodeCursor(q.cursor) : null])}`;
    return this.reader.read(q.userId, what, (db) =>
      this.repository.messagePage(db, {
        userId: q.userId,
        limit: q.limit,
        folderId: q.folderId,
        cursor: q.cursor,
      }),
    );
  }
}
