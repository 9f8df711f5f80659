import { Injectable } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { listAllFolders } from './graph/graph-mail';
import { MailWrites } from './mail-writes';
import { EmailsRepository } from './repositories/emails.repository';
import { FolderState, MailFoldersRepository } from './repositories/mail-folders.repository';

/**
 * The mailbox's folder list, read from Graph and stored. The listing is the truth about folders: folders
 * gone from the mailbox go with their messages, and new ones (created in Outlook, or by an inbox rule) get a
 * row whose first delta round the next folder sync starts.
 */
@Injectable()
export class FolderListingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly folders: MailFoldersRepository,
    private readonly emails: EmailsRepository,
    private readonly writes: MailWrites,
  ) {}

  /** Lists the folders at Graph, stores them, and returns every stored folder's state. */
  async refresh(userId: string, client: Client): Promise<FolderState[]> {
    const listing = await listAllFolders(client);
    const stored = await this.db.transaction(async (tx) => {
      const ids = listing.map((f) => f.id);
      await this.emails.deleteOutsideFolders(tx, userId, ids);
      await this.folders.deleteOthers(tx, userId, ids);
      return this.folders.upsertListing(tx, userId, listing);
    });
    await this.writes.committed(userId); // the folder list and its counts, whether or not mail changes
    return stored;
  }

  /** Folders a sync has run a delta round in (none: the first sync has not happened yet). */
  synced(userId: string): Promise<FolderState[]> {
    return this.folders.listSynced(this.db.manager, userId);
  }

  /** Waits until every commit made so far (sync pages commit without waiting for their WAL) is on disk. */
  flushed(): Promise<void> {
    return this.folders.flushCommitted(this.db);
  }
}
