import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { MailCursor } from '../mail-cursor';
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

  /**
   * Only the first page (no cursor) is cached, and only when it has messages: later pages are read once
   * each while paging, and a cursor or folder id of the caller's choosing must not become a Redis entry.
   */
  execute(q: ListMessagesQuery): Promise<MessagePageView> {
    // The folder id is free text, so it goes into the key as JSON (no separator can be forged with it).
    const what = q.cursor ? null : `list:${JSON.stringify([q.folderId ?? null, q.limit])}`;
    return this.reader.read(
      q.userId,
      what,
      (db) =>
        this.repository.messagePage(db, {
          userId: q.userId,
          limit: q.limit,
          folderId: q.folderId,
          cursor: q.cursor,
        }),
      (page) => page.items.length > 0,
    );
  }
}
