import { Injectable } from '@nestjs/common';
import type { FolderListView, SyncStatusView } from './mailbox.dto';
import { MailReadRepository, MessagePageRequest } from './mail-read.repository';
import { MailReader } from './mail-reader.service';
import type { MessagePageView, MessageView } from './message.dto';

/**
 * The read model of the mail copy: each query of the read API, and whether its answer is cached. All run
 * through MailReader (the cache, else the replica, else the primary when the replica lags the user's write).
 */
@Injectable()
export class MailQueries {
  constructor(
    private readonly reader: MailReader,
    private readonly repository: MailReadRepository,
  ) {}

  /**
   * One page of the caller's mail, newest first, optionally one folder's. Only the first page (no cursor) is
   * cached, and only when it has messages: later pages are read once each while paging, and a cursor or
   * folder id of the caller's choosing must not become a Redis entry.
   */
  messages(req: MessagePageRequest): Promise<MessagePageView> {
    // The folder id is free text, so it goes into the key as JSON (no separator can be forged with it).
    const what = req.cursor ? null : `list:${JSON.stringify([req.folderId ?? null, req.limit])}`;
    return this.reader.read(
      req.userId,
      what,
      (db) => this.repository.messagePage(db, req),
      (page) => page.items.length > 0,
    );
  }

  /**
   * One of the caller's messages in full; null when the caller has no message with that id. Not cached: one
   * message is one primary-key read, and caching every message a caller opens (bodies included) would let
   * one user fill the cluster. Still the replica unless it lags the last write.
   */
  message(userId: string, graphId: string): Promise<MessageView | null> {
    return this.reader.read(userId, null, (db) => this.repository.message(db, userId, graphId));
  }

  folders(userId: string): Promise<FolderListView> {
    return this.reader.read(
      userId,
      'folders',
      async (db) => ({ items: await this.repository.folders(db, userId) }),
      (list) => list.items.length > 0,
    );
  }

  /**
   * Not cached: a run's progress and the connection change without a mail write (no version bump), and the
   * dashboard asks for this while a sync runs. It still reads the replica unless that lags the last write.
   */
  syncStatus(userId: string): Promise<SyncStatusView> {
    return this.reader.read(userId, null, (db) => this.repository.syncStatus(db, userId));
  }
}
