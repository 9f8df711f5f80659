// One mailbox: folders, messages, and the indexes that keep listing and delta fast. Every mutation takes the
// next change sequence number, appends to the affected folders' delta logs and tells the listener (the
// subscription service) what Graph would notify about.
import { changeKey, randomId, stableId } from './ids';
import { DeltaLog } from './delta-log';
import { messageIdFor } from './message-ids';
import { SortedIndex } from './sorted-index';
import type { FolderRecord, MailboxIdentity, MessageRecord } from './types';

export class Folder {
  readonly index = new SortedIndex();
  log = new DeltaLog();
  unread = 0;
  /**
   * The newest delta sync-state generation of this folder: every deltaLink handed out takes the next one, and
   * only the last few stay valid (Exchange keeps its delta sync states in a capacity-bound cache).
   */
  deltaGeneration = 0;
  constructor(readonly record: FolderRecord) {}
}

export type MailboxChange =
  | { kind: 'created' | 'updated' | 'deleted'; message: MessageRecord; folderId: string }
  | {
      kind: 'moved';
      message: MessageRecord;
      folderId: string;
      fromFolderId: string;
      /** The default REST id the message had before the move (its immutable id stays message.id). */
      previousDefaultId: string;
    };

export type MessagePatch = Partial<
  Pick<
    MessageRecord,
    | 'isRead'
    | 'categories'
    | 'flagStatus'
    | 'importance'
    | 'subject'
    | 'bodyHtml'
    | 'bodyPreview'
    | 'inferenceClassification'
  >
>;

export const WELL_KNOWN_FOLDERS: { name: string; displayName: string; hidden?: boolean }[] = [
  { name: 'inbox', displayName: 'Inbox' },
  { name: 'sentitems', displayName: 'Sent Items' },
  { name: 'drafts', displayName: 'Drafts' },
  { name: 'deleteditems', displayName: 'Deleted Items' },
  { name: 'archive', displayName: 'Archive' },
  { name: 'junkemail', displayName: 'Junk Email' },
  { name: 'outbox', displayName: 'Outbox' },
  { name: 'conversationhistory', displayName: 'Conversation History' },
];

export class Mailbox {
  readonly folders = new Map<string, Folder>();
  readonly messages = new Map<string, MessageRecord>();
  readonly all = new SortedIndex();
  private readonly wellKnown = new Map<string, string>();
  readonly rootId: string;
  seq = 0;
  /** How many generated messages were seeded so far: the next seed continues from here. */
  seededCount = 0;
  /** Bumped to invalidate every delta token of this mailbox at once. */
  deltaEpoch = newEpoch();
  onChange?: (mailbox: Mailbox, change: MailboxChange) => void;

  constructor(readonly identity: MailboxIdentity) {
    this.rootId = stableId('AAMkAGRoot', `${identity.id}/msgfolderroot`, 18);
  }

  /** Creates the well-known folders (idempotent). */
  ensureDefaultFolders(): void {
    for (const wk of WELL_KNOWN_FOLDERS) {
      if (this.wellKnown.has(wk.name)) continue;
      const id = stableId('AAMkAGFold', `${this.identity.id}/${wk.name}`, 18);
      this.addFolder({
        id,
        displayName: wk.displayName,
        parentFolderId: this.rootId,
        wellKnownName: wk.name,
        isHidden: !!wk.hidden,
      });
    }
  }

  addFolder(record: FolderRecord): Folder {
    const folder = new Folder(record);
    this.folders.set(record.id, folder);
    if (record.wellKnownName) this.wellKnown.set(record.wellKnownName, record.id);
    return folder;
  }

  /** Resolves a folder id or a well-known name (case-insensitive), as Graph accepts both. */
  resolveFolder(idOrName: string): Folder | undefined {
    const byId = this.folders.get(idOrName);
    if (byId) return byId;
    const wk = this.wellKnown.get(idOrName.toLowerCase());
    return wk ? this.folders.get(wk) : undefined;
  }

  wellKnownFolder(name: string): Folder {
    const folder = this.resolveFolder(name);
    if (!folder) throw new Error(`mailbox ${this.identity.address} has no ${name} folder`);
    return folder;
  }

  childFolders(parentId: string): Folder[] {
    return [...this.folders.values()].filter((f) => f.record.parentFolderId === parentId);
  }

  /** Folder names are unique among siblings, case-insensitively (Graph answers 409 ErrorFolderExists). */
  hasChildNamed(parentId: string, displayName: string): boolean {
    const wanted = displayName.toLowerCase();
    return this.childFolders(parentId).some((f) => f.record.displayName.toLowerCase() === wanted);
  }

  /** A new user folder (Graph's POST mailFolders and the control API). Its delta starts empty. */
  createUserFolder(parentId: string, displayName: string, isHidden = false): Folder {
    return this.addFolder({
      id: randomId('AAMkAGUser', 18),
      displayName,
      parentFolderId: parentId,
      isHidden,
    });
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Adds a new message; `notify` is false while bulk seeding. */
  addMessage(message: MessageRecord, notify = true): MessageRecord {
    const folder = this.folders.get(message.folderId);
    if (!folder) throw new Error(`unknown folder ${message.folderId}`);
    message.seq = this.nextSeq();
    message.changeKey = changeKey(message.seq);
    this.messages.set(message.id, message);
    folder.index.insert(message);
    this.all.insert(message);
    if (!message.isRead) folder.unread++;
    folder.log.append(message.seq, message.id, false);
    if (notify) this.onChange?.(this, { kind: 'created', message, folderId: folder.record.id });
    return message;
  }

  /** Puts back a message read from a snapshot, keeping its seq and change key. Call inside begin/endBulk. */
  restoreMessage(message: MessageRecord): void {
    const folder = this.folders.get(message.folderId);
    if (!folder) throw new Error(`snapshot message ${message.id} names unknown folder ${message.folderId}`);
    this.messages.set(message.id, message);
    folder.index.insert(message);
    this.all.insert(message);
    if (!message.isRead) folder.unread++;
  }

  beginBulk(): void {
    this.all.beginBulk();
    for (const folder of this.folders.values()) folder.index.beginBulk();
  }

  endBulk(): void {
    this.all.sort();
    for (const folder of this.folders.values()) folder.index.sort();
  }

  update(message: MessageRecord, patch: MessagePatch): MessageRecord {
    const folder = this.folders.get(message.folderId)!;
    if (patch.isRead !== undefined && patch.isRead !== message.isRead) folder.unread += patch.isRead ? -1 : 1;
    Object.assign(message, patch);
    this.touch(message);
    folder.log.append(message.seq, message.id, false);
    this.onChange?.(this, { kind: 'updated', message, folderId: folder.record.id });
    return message;
  }

  move(message: MessageRecord, destination: Folder): MessageRecord {
    const source = this.folders.get(message.folderId)!;
    if (source === destination) return message;
    const previousGeneration = message.moveGeneration ?? 0;
    const previousDefaultId = messageIdFor(message, 'default');
    source.index.remove(message);
    if (!message.isRead) source.unread--;
    message.folderId = destination.record.id;
    message.moveGeneration = (message.moveGeneration ?? 0) + 1;
    this.touch(message);
    source.log.append(message.seq, message.id, true, previousGeneration);
    destination.index.insert(message);
    if (!message.isRead) destination.unread++;
    destination.log.append(message.seq, message.id, false);
    this.onChange?.(this, {
      kind: 'moved',
      message,
      folderId: destination.record.id,
      fromFolderId: source.record.id,
      previousDefaultId,
    });
    return message;
  }

  hardDelete(message: MessageRecord): void {
    const folder = this.folders.get(message.folderId)!;
    folder.index.remove(message);
    this.all.remove(message);
    if (!message.isRead) folder.unread--;
    this.messages.delete(message.id);
    message.seq = this.nextSeq();
    folder.log.append(message.seq, message.id, true, message.moveGeneration ?? 0);
    this.onChange?.(this, { kind: 'deleted', message, folderId: folder.record.id });
  }

  private touch(message: MessageRecord): void {
    message.seq = this.nextSeq();
    message.changeKey = changeKey(message.seq);
    message.lastModifiedDateTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** Random, so tokens from a reset or re-created mailbox never match by accident. */
export function newEpoch(): number {
  return 1 + Math.floor(Math.random() * 2_000_000_000);
}
