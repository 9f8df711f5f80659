import { Injectable } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FolderListingService } from './folder-listing.service';
import { FolderRun, FolderSyncService } from './folder-sync.service';
import { EmailRow, toEmailRow } from './graph/email-row';
import { fetchMessage, listAllFolders } from './graph/graph-mail';
import { GraphFolder, graphMessageSchema } from './graph/graph-schemas';
import { RowBatch } from './graph/row-batch';
import { MessagesWriter } from './messages-writer';
import { EmailsRepository, MessageChanges } from './repositories/emails.repository';
import type { FolderState } from './repositories/mail-folders.repository';

export type { FolderRun, FolderState, GraphFolder, MessageChanges };
/** Graph answered something the checks refuse (the audit's listing reads Graph with the same rules). */
export { MalformedGraphResponseError } from './graph/delta-page';

/** A message read by id that passed the checks: the folder Graph files it under, and its row. */
export interface FetchedMessage {
  folderId: string;
  /** As Graph answered it (undefined when it left it out). */
  changeKey: string | null | undefined;
  row: EmailRow;
}

export interface FetchedMessagesWrite {
  userId: string;
  /** Only messages of folders the user has synced. */
  messages: FetchedMessage[];
  /** Ids Graph no longer has. */
  removedIds: string[];
}

/**
 * What the sync offers the rest of the consumer (real time, the audit), so that no other feature reaches into
 * its Graph reading, its writers or its repositories: the stored folders and their deltas, messages fetched
 * by id and written as the sync writes them, and which messages are stored.
 */
@Injectable()
export class SyncApi {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly listing: FolderListingService,
    private readonly folderSync: FolderSyncService,
    private readonly messages: MessagesWriter,
    private readonly emails: EmailsRepository,
  ) {}

  /** Folders a sync has run a delta round in (none: the first sync has not happened yet). */
  syncedFolders(userId: string): Promise<FolderState[]> {
    return this.listing.synced(userId);
  }

  /** Lists the folders at Graph, stores them, and returns every stored folder's state. */
  relistFolders(userId: string, client: Client): Promise<FolderState[]> {
    return this.listing.refresh(userId, client);
  }

  /** The folders at Graph, as listed (nothing stored). */
  graphFolders(client: Client): Promise<GraphFolder[]> {
    return listAllFolders(client);
  }

  /** The folder's delta, page by page, each page committed with its link, as a sync run does it. */
  runFolderDelta(run: FolderRun, folder: FolderState): Promise<void> {
    return this.folderSync.sync(run, folder);
  }

  /** Waits until every commit made so far (delta pages commit without waiting for their WAL) is on disk. */
  flushed(): Promise<void> {
    return this.listing.flushed();
  }

  /**
   * A message's current state at Graph: `gone` when Graph has no such message (404), `unusable` when its
   * answer does not pass the checks, names another id, or has no folder.
   */
  async fetchMessage(client: Client, id: string): Promise<FetchedMessage | 'gone' | 'unusable'> {
    const raw = await fetchMessage(client, id);
    if (raw === null) return 'gone';
    const parsed = graphMessageSchema.safeParse(raw);
    const folderId = parsed.success ? parsed.data.parentFolderId : undefined;
    if (!parsed.success || parsed.data.id !== id || !folderId) return 'unusable';
    return { folderId, changeKey: parsed.data.changeKey, row: toEmailRow(parsed.data, folderId) };
  }

  /** Written atomically, as the sync writes them; answers what changed. */
  writeMessages(w: FetchedMessagesWrite): Promise<MessageChanges> {
    const upserts = RowBatch.of(w.messages.map((m) => m.row));
    return this.messages.write({ userId: w.userId, upserts, removedIds: w.removedIds });
  }

  /** Which of `ids` are stored for the user (on the primary: a write that just committed there is seen). */
  storedIds(userId: string, ids: string[]): Promise<Set<string>> {
    return this.emails.storedIds(this.db.manager, userId, ids);
  }
}
