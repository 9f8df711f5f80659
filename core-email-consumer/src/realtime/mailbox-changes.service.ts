import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import { Client } from '@microsoft/microsoft-graph-client';
import {
  GraphClients,
  HandlerContext,
  inParallel,
  KafkaPublisher,
  LOGGER,
  MailboxLease,
  mailboxUnusableReason,
  PUBLISHER,
} from '@core-email/platform';
import type { Logger } from 'pino';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { FetchedMessage, FolderState, MessageChanges, SyncApi } from '../sync/sync-api';
import { ChangeTally } from './change-tally';

/**
 * The most a busy mailbox's next pass waits after the last one ended: a pass slowed by an outage (minutes of
 * retries) must not hold the next one back as long again.
 */
const MAX_PASS_SPACING_MS = 2_000;
/** The ids notify_user_mutate_email can carry per list (its contract's limit). */
const MAX_IDS = 10_000;
/** fetchById met a message filed in a folder the copy does not know: the folders must be listed again. */
const UNKNOWN_FOLDER = Symbol('unknown folder');

/**
 * Applies change notifications. A notification only says "this message changed" (or less): the pass reads
 * the current state from Graph, so applying twice is harmless, and so are duplicates and out-of-order
 * notifications. A pass whose notifications name a few messages we can resolve fetches them by id (a deleted
 * one answers 404); any other pass runs every folder's delta, which covers every change Graph made before it
 * began. The folders are listed again (new ones found and given their first round) when a message turned up
 * in an unknown folder, when a delta reported messages leaving a folder (they may have gone to a new one),
 * and at least every REALTIME_FOLDER_RELIST_SECONDS. A pass holds the mailbox's lease, so it never
 * interleaves with a sync run or an audit of the same mailbox; one that keeps failing becomes an incremental
 * sync of the mailbox rather than a dead letter.
 *
 * Coalescing: a mailbox's notifications share a partition and a lane, and the lane hands over everything
 * queued for the mailbox at once. The pass waits until COALESCE_MS after the first was received (so changes
 * made together are fetched together); a notification received before the start of the last delta pass is
 * already applied and is skipped. Under load a pass also waits as long after the previous one as that one
 * took (at most MAX_PASS_SPACING_MS): a busy mailbox then gets fewer, larger passes instead of a pass per burst.
 */
@Injectable()
export class MailboxChangesService {
  /** Per mailbox: when its last pass began and ended (this process's clock; the webhook's is NTP'd). */
  private readonly lastPass = new Map<string, { start: number; end: number }>();
  /** Per mailbox: when its last delta pass began. */
  private readonly lastDeltaStart = new Map<string, number>();
  /** Per mailbox: when a pass last listed its folders. */
  private readonly lastRelist = new Map<string, number>();

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    private readonly graph: GraphClients,
    private readonly sync: SyncApi,
    private readonly lease: MailboxLease,
  ) {}

  /** Change notifications of one or more mailboxes, in the order received; one pass per mailbox. */
  async applyMany(messages: UpdateEmailSubscriptionMessage[], ctx: HandlerContext): Promise<void> {
    const byUser = new Map<string, UpdateEmailSubscriptionMessage[]>();
    for (const m of messages) {
      const mine = byUser.get(m.userId) ?? [];
      mine.push(m);
      byUser.set(m.userId, mine);
    }
    for (const [userId, mine] of byUser) await this.applyForUser(userId, mine, ctx);
  }

  private async applyForUser(
    userId: string,
    messages: UpdateEmailSubscriptionMessage[],
    ctx: HandlerContext,
  ): Promise<void> {
    const coveredBefore = this.lastDeltaStart.get(userId) ?? -Infinity;
    const pending = messages.filter((m) => Date.parse(m.receivedAt) >= coveredBefore);
    if (pending.length === 0) return;
    await this.coalesce(userId, pending);

    const startedAt = Date.now();
    let changes: MessageChanges;
    try {
      changes = await this.lease.hold(userId, () => this.runPass(userId, pending, ctx, startedAt), {
        heartbeat: () => ctx.heartbeat(),
      });
    } catch (error) {
      // A mailbox we may no longer read: retrying cannot help, and reconnecting starts a full sync anyway.
      const unusable = mailboxUnusableReason(error);
      if (unusable) {
        this.logger.info({ userId, reason: unusable }, 'change not applied: mailbox unusable');
        return;
      }
      if (ctx.attempt < this.config.retry.attempts) throw error; // retried with backoff
      await this.redrive(userId, error);
      return;
    }
    // Recorded only once the pass is committed: a failed apply is retried, never skipped.
    this.lastPass.set(userId, { start: startedAt, end: Date.now() });
    if (changes.created.length + changes.updated.length + changes.deleted.length === 0) return;
    await this.publisher.publish(TOPICS.notifyUserMutateEmail, {
      userId,
      created: changes.created.slice(0, MAX_IDS),
      updated: changes.updated.slice(0, MAX_IDS),
      deleted: changes.deleted.slice(0, MAX_IDS),
      at: new Date().toISOString(),
    });
  }

  /**
   * The pass failed on every attempt (a Graph or database outage longer than the retries): the changes are
   * not dropped, the mailbox gets an incremental sync, whose deltas cover them, on its own partition.
   */
  private async redrive(userId: string, error: unknown): Promise<void> {
    this.logger.warn(
      { userId, err: error instanceof Error ? error.message : String(error) },
      'real-time pass failed on every attempt; queuing an incremental sync instead',
    );
    await this.publisher.publish(TOPICS.syncEmail, {
      userId,
      runId: randomUUID(),
      mode: 'incremental',
      reason: 'missed',
      requestedAt: new Date().toISOString(),
    });
  }

  private async coalesce(userId: string, pending: UpdateEmailSubscriptionMessage[]): Promise<void> {
    const firstReceived = Math.min(...pending.map((m) => Date.parse(m.receivedAt)));
    const last = this.lastPass.get(userId);
    const notBefore = Math.max(
      firstReceived + this.config.env.REALTIME_COALESCE_MS,
      last ? Math.min(2 * last.end - last.start, last.end + MAX_PASS_SPACING_MS) : 0,
    );
    const wait = notBefore - Date.now();
    if (wait > 0) await sleep(wait);
  }

  private async runPass(
    userId: string,
    pending: UpdateEmailSubscriptionMessage[],
    ctx: HandlerContext,
    startedAt: number,
  ): Promise<MessageChanges> {
    const synced = await this.sync.syncedFolders(userId);
    if (synced.length === 0) return { created: [], updated: [], deleted: [] }; // sync_email does the first copy
    const ids = this.namedMessages(pending);
    const fetched = ids ? await this.fetchById(userId, synced, ids) : undefined;
    if (fetched && fetched !== UNKNOWN_FOLDER) return fetched;
    const changes = await this.deltaPass(userId, synced, fetched === UNKNOWN_FOLDER, ctx);
    // Delta pages commit without waiting for their WAL; a pass is done only when its writes are durable,
    // since nothing will run these deltas again once the notifications' offsets are committed.
    await this.sync.flushed();
    this.lastDeltaStart.set(userId, startedAt);
    return changes;
  }

  /** Every folder's delta; the folders listed first when that is due, or after it when messages left one. */
  private async deltaPass(
    userId: string,
    synced: FolderState[],
    unknownFolder: boolean,
    ctx: HandlerContext,
  ): Promise<MessageChanges> {
    const tally = new ChangeTally();
    const client = this.graph.forMailbox(userId);
    const relistFirst = unknownFolder || this.relistDue(userId);
    const folders = relistFirst ? await this.relist(userId, client) : synced;
    const { removals } = await this.runDeltas(userId, folders, client, tally, ctx);
    if (!relistFirst && removals) {
      const fresh = (await this.relist(userId, client)).filter((f) => f.deltaLink === null);
      if (fresh.length > 0) await this.runDeltas(userId, fresh, client, tally, ctx);
    }
    return tally.result(await this.stored(userId, tally.ids));
  }

  private relistDue(userId: string): boolean {
    const last = this.lastRelist.get(userId) ?? 0;
    return Date.now() - last >= this.config.env.REALTIME_FOLDER_RELIST_SECONDS * 1000;
  }

  private async relist(userId: string, client: Client): Promise<FolderState[]> {
    const folders = await this.sync.relistFolders(userId, client);
    this.lastRelist.set(userId, Date.now());
    return folders;
  }

  /** The messages the notifications name, when each names one and they are few enough to fetch by id. */
  private namedMessages(pending: UpdateEmailSubscriptionMessage[]): string[] | undefined {
    const ids = new Set<string>();
    for (const m of pending) {
      if (m.messageId === undefined) return undefined;
      ids.add(m.messageId);
    }
    return ids.size <= this.config.env.REALTIME_FETCH_BY_ID_MAX ? [...ids] : undefined;
  }

  /**
   * Each message's current state by id, written in one statement. Undefined (the caller runs the deltas
   * instead) when Graph answers something the deltas handle better: a message filed in a folder the sync
   * has not seen yet, one that does not pass the checks, an id Graph answers in another format than it was
   * notified in, or a deletion of an id the copy does not hold (a notification in the default id format,
   * which the copy never stores: only the deltas can say which row it was).
   */
  private async fetchById(
    userId: string,
    folders: FolderState[],
    ids: string[],
  ): Promise<MessageChanges | typeof UNKNOWN_FOLDER | undefined> {
    const known = new Set(folders.map((f) => f.graphId));
    const client = this.graph.forMailbox(userId);
    // The mailbox's Graph limiter bounds the requests in flight.
    const answers = await Promise.all(ids.map((id) => this.sync.fetchMessage(client, id)));
    const fetched: FetchedMessage[] = [];
    const removed: string[] = [];
    for (const [i, answer] of answers.entries()) {
      if (answer === 'gone') {
        removed.push(ids[i]);
        continue;
      }
      if (answer === 'unusable') return undefined;
      if (!known.has(answer.folderId)) return UNKNOWN_FOLDER;
      fetched.push(answer);
    }
    if (removed.length > 0 && (await this.stored(userId, removed)).size < removed.length) return undefined;
    return this.sync.writeMessages({ userId, messages: fetched, removedIds: removed });
  }

  /** The folders' deltas, written as the sync writes them, into `tally`; whether any message left one. */
  private async runDeltas(
    userId: string,
    folders: FolderState[],
    client: Client,
    tally: ChangeTally,
    ctx: HandlerContext,
  ): Promise<{ removals: boolean }> {
    let removals = false;
    const run = {
      userId,
      // Only used if a folder must start a fresh round (a 410): the round is then tagged with this apply.
      runId: randomUUID(),
      mode: 'incremental' as const,
      client,
      onPage: () => ctx.heartbeat(),
      beforePage: async (_folderId: string, upserted: string[], removed: string[]) => {
        removals ||= removed.length > 0;
        const unseen = tally.unseen([...upserted, ...removed]);
        if (unseen.length > 0) tally.recordBefore(unseen, await this.stored(userId, unseen));
      },
    };
    // The mailbox's Graph limiter bounds the requests in flight whatever this allows.
    await inParallel(folders, this.config.env.SYNC_FOLDER_CONCURRENCY, (folder) =>
      this.sync.runFolderDelta(run, folder),
    );
    return { removals };
  }

  /** Which of `ids` are stored for the user (on the primary: the transaction just committed there). */
  private stored(userId: string, ids: string[]): Promise<Set<string>> {
    return this.sync.storedIds(userId, ids);
  }
}
