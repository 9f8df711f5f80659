import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import { GraphError } from '@microsoft/microsoft-graph-client';
import {
  GraphClients,
  HandlerContext,
  inParallel,
  KafkaPublisher,
  LOGGER,
  MailboxNotConnectedError,
  MailboxReauthRequiredError,
  PUBLISHER,
} from '@core-email/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { FolderSyncService } from '../sync/folder-sync.service';
import { FOLDER_STATE_COLUMNS, FolderState } from '../sync/repositories/mail-folders.repository';
import { ChangeTally } from './change-tally';

/** The ids notify_user_mutate_email can carry per list (its contract's limit). */
const MAX_IDS = 10_000;

/**
 * Applies change notifications through the folder deltas: a notification only says "something changed in
 * this mailbox"; the deltas say exactly what, and applying them twice is harmless (so duplicates and
 * out-of-order notifications are too).
 *
 * Coalescing: a mailbox's notifications share a partition, so they reach this process one after another.
 * The first waits until COALESCE_MS after it was received (so changes made together are fetched together);
 * the delta that then runs covers every change Graph made before it started, so any later message received
 * before that start is already applied and is skipped. Under load a pass also waits as long after the
 * previous one as that one took: a busy mailbox then gets fewer, larger passes instead of a pass per burst.
 */
@Injectable()
export class MailboxChangesService {
  /** Per mailbox: when its last pass began and ended (this process's clock; the webhook's is NTP'd). */
  private readonly lastPass = new Map<string, { start: number; end: number }>();

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @InjectDataSource() private readonly db: DataSource,
    private readonly graph: GraphClients,
    private readonly folderSync: FolderSyncService,
  ) {}

  async apply(message: UpdateEmailSubscriptionMessage, ctx: HandlerContext): Promise<void> {
    const receivedAt = Date.parse(message.receivedAt);
    const last = this.lastPass.get(message.userId);
    if (last !== undefined && receivedAt < last.start) return; // covered by that pass

    const notBefore = Math.max(
      receivedAt + this.config.env.REALTIME_COALESCE_MS,
      last ? 2 * last.end - last.start : 0,
    );
    const wait = notBefore - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const startedAt = Date.now();
    let changes: Awaited<ReturnType<MailboxChangesService['runDeltas']>>;
    try {
      changes = await this.runDeltas(message.userId, ctx);
    } catch (error) {
      // A mailbox we may no longer read: retrying cannot help, and reconnecting starts a full sync anyway.
      if (!isFinal(error)) throw error;
      this.logger.info(
        { userId: message.userId, error: errorName(error) },
        'change not applied: mailbox unusable',
      );
      return;
    }
    // Recorded only once the deltas are committed: a failed apply is retried, never skipped.
    this.lastPass.set(message.userId, { start: startedAt, end: Date.now() });
    if (changes.created.length + changes.updated.length + changes.deleted.length === 0) return;
    await this.publisher.publish(TOPICS.notifyUserMutateEmail, {
      userId: message.userId,
      created: changes.created.slice(0, MAX_IDS),
      updated: changes.updated.slice(0, MAX_IDS),
      deleted: changes.deleted.slice(0, MAX_IDS),
      at: new Date().toISOString(),
    });
  }

  /** Every synced folder's delta, with the sync's own per-page command; returns what changed. */
  private async runDeltas(userId: string, ctx: HandlerContext) {
    const folders = await this.syncedFolders(userId);
    const tally = new ChangeTally();
    if (folders.length === 0) return tally.result(new Set()); // never synced: sync_email does the first copy
    const client = this.graph.forMailbox(userId);
    const run = {
      userId,
      // Only used if a folder must start a fresh round (a 410): the round is then tagged with this apply.
      runId: randomUUID(),
      mode: 'incremental' as const,
      client,
      onPage: () => ctx.heartbeat(),
      beforePage: async (_folderId: string, upserted: string[], removed: string[]) => {
        const unseen = tally.unseen([...upserted, ...removed]);
        if (unseen.length > 0) tally.recordBefore(unseen, await this.stored(userId, unseen));
      },
    };
    // The mailbox's Graph limiter bounds the requests in flight whatever this allows.
    await inParallel(folders, this.config.env.SYNC_FOLDER_CONCURRENCY, (folder) =>
      this.folderSync.sync(run, folder),
    );
    return tally.result(await this.stored(userId, tally.ids));
  }

  /** Folders the first sync has seen; a folder created since comes in with the next sync_email listing. */
  private syncedFolders(userId: string): Promise<FolderState[]> {
    return this.db.query(
      `SELECT ${FOLDER_STATE_COLUMNS}
         FROM mail_folders WHERE user_id = $1 AND delta_link IS NOT NULL ORDER BY graph_id`,
      [userId],
    );
  }

  /** Which of `ids` are stored for the user (on the primary: the transaction just committed there). */
  private async stored(userId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.db.query(
      `SELECT graph_id FROM emails WHERE user_id = $1 AND graph_id = ANY($2::text[])`,
      [userId, ids],
    )) as { graph_id: string }[];
    return new Set(rows.map((r) => r.graph_id));
  }
}

const FINAL_ERRORS = [MailboxReauthRequiredError.name, MailboxNotConnectedError.name];

/** The graph client wraps errors of the auth provider in a GraphError whose code is the error's name. */
function errorName(error: unknown): string | undefined {
  return error instanceof GraphError
    ? (error.code ?? undefined)
    : error instanceof Error
      ? error.name
      : undefined;
}

function isFinal(error: unknown): boolean {
  const name = errorName(error);
  return name !== undefined && FINAL_ERRORS.includes(name);
}
