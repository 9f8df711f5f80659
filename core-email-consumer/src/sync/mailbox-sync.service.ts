import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { SyncEmailMessage, TOPICS } from '@core-email/contracts';
import {
  GraphClients,
  HandlerContext,
  KafkaPublisher,
  LOGGER,
  MailboxLease,
  mailboxWaitOf,
  mailboxUnusableReason,
  MailboxTokens,
  PageSlots,
  ParkedJobs,
  PUBLISHER,
  QueuedResyncs,
} from '@core-email/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { FolderSyncService } from './folder-sync.service';
import { FolderListingService } from './folder-listing.service';
import { PageTurn } from './page-turn';
import { SyncRunsRepository } from './repositories/sync-runs.repository';
import { settledInParallel } from './settled-in-parallel';
import { SyncProgress } from './sync-progress';

/** The process's one PageSlots (SYNC_PAGE_SLOTS), shared by every sync run in it. */
export const PAGE_SLOTS = Symbol('PAGE_SLOTS');
/** A sync that cannot park (Redis unreachable) waits in its lane, heartbeating this often. */
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * One `sync_email` job: every folder's delta into PostgreSQL, progress on `email_ack`, the run in
 * `sync_runs`. Idempotent: a job delivered again after it ended does nothing; one delivered again mid-run
 * (a crash, a rebalance) continues from each folder's committed link.
 *
 * Fairness: each page takes a slot of the process's PageSlots (round robin between mailboxes, a mailbox's
 * first page first), and a mailbox Graph pauses for longer than SYNC_PARK_AFTER_SECONDS (or whose budget is
 * spent) is parked: the job ends, giving its lane and its lease back, and comes back on `sync_email` when the
 * wait is over (ParkedJobs, re-queued by the workers), continuing from its committed links.
 */
@Injectable()
export class MailboxSyncService {
  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @InjectDataSource() private readonly db: DataSource,
    private readonly graph: GraphClients,
    private readonly tokens: MailboxTokens,
    private readonly runs: SyncRunsRepository,
    private readonly listing: FolderListingService,
    private readonly folderSync: FolderSyncService,
    private readonly lease: MailboxLease,
    private readonly queuedResyncs: QueuedResyncs,
    private readonly parked: ParkedJobs,
    @Inject(PAGE_SLOTS) private readonly pageSlots: PageSlots,
  ) {}

  async run(job: SyncEmailMessage, ctx: HandlerContext): Promise<void> {
    const status = await this.runs.begin(job);
    if (status === 'no_such_user') {
      // The account was deleted (with its rows) after the job was queued: nothing to sync, nothing to retry.
      this.logger.info({ userId: job.userId, runId: job.runId }, 'sync job for a user that no longer exists');
      return;
    }
    // From here a new Resync queues a new run (this one may have read its folders' links already). Without
    // Redis the slot simply expires.
    await this.queuedResyncs
      .started(job.userId, job.runId)
      .catch((err: unknown) => this.logger.warn({ err, userId: job.userId }, 'queued resync not released'));
    if (status !== 'running' && status !== 'stuck') {
      this.logger.info(
        { userId: job.userId, runId: job.runId, status },
        'sync run already ended; nothing to do',
      );
      return;
    }
    const progress = new SyncProgress(job.userId, job.runId, this.config.env.SYNC_PROGRESS_INTERVAL_MS);
    try {
      await this.lease.hold(job.userId, () => this.syncMailbox(job, ctx, progress), {
        heartbeat: () => ctx.heartbeat(),
      });
    } catch (error) {
      const waitMs = mailboxWaitOf(error);
      if (waitMs !== undefined) return this.parkOrWait(job, ctx, waitMs);
      // An unusable mailbox is a failure no retry can fix: the run ends `failed` with its reason at once.
      const reason = mailboxUnusableReason(error);
      const lastAttempt = ctx.attempt >= this.config.retry.attempts;
      // The producer publishes a 'connected' job inside the transaction that stores the mailbox, so the job
      // can arrive a moment before that commit: "not connected" then means "not yet", worth a retry.
      const mayBeEarly = reason === 'not_connected' && job.reason === 'connected';
      if ((reason === undefined || mayBeEarly) && !lastAttempt) throw error; // retried with backoff
      await this.fail(job, progress, reason ?? describe(error));
      if (reason === undefined) throw error; // the dead-letter topic keeps the job and the error
    }
  }

  private async syncMailbox(
    job: SyncEmailMessage,
    ctx: HandlerContext,
    progress: SyncProgress,
  ): Promise<void> {
    await this.tokens.getAccessToken(job.userId); // a dead grant fails here, before any Graph call
    // A longer wait than this parks the job (MailboxPausedError) instead of holding its lane.
    const client = this.graph.forMailbox(job.userId, {
      maxWaitMs: this.config.env.SYNC_PARK_AFTER_SECONDS * 1000,
    });
    const folders = await this.listing.refresh(job.userId, client);
    for (const f of folders) progress.addFolder(f.graphId, f.displayName, f.totalCount);
    await this.publisher.publish(TOPICS.emailAck, progress.ack('running'));
    let pagesStored = 0;
    const onPage = async (folderId: string, items: number, skipped: number) => {
      pagesStored += 1;
      progress.advance(folderId, items, skipped);
      await ctx.heartbeat();
      if (progress.due()) await this.reportRunning(job.runId, progress);
    };
    // Largest first: the biggest folder is one chain of pages that nothing can split, so it must not wait.
    const bySize = [...folders].sort((a, b) => b.totalCount - a.totalCount);
    const pageTurn = () => new PageTurn(this.pageSlots, job.userId, () => pagesStored === 0);
    await settledInParallel(bySize, this.config.env.SYNC_FOLDER_CONCURRENCY, async (folder) => {
      await this.folderSync.sync(
        { userId: job.userId, runId: job.runId, mode: job.mode, client, onPage, pageTurn },
        folder,
      );
      progress.folderDone(folder.graphId);
    });
    // Published before the run is marked finished: a crash in between repeats them rather than losing them.
    // A mailbox connected again (after a disconnect or reauth_required) gets a new subscription too: the one
    // it had is gone or not to be trusted.
    const firstRun = !(await this.runs.finishedBefore(job.userId, job.runId));
    if (firstRun || job.reason === 'connected') {
      await this.publisher.publish(TOPICS.createEmailSubscription, {
        userId: job.userId,
        reason: firstRun ? 'initial_sync' : 'reconnected',
        requestedAt: new Date().toISOString(),
      });
    }
    await this.publisher.publish(TOPICS.emailAck, progress.ack('finished'));
    await this.runs.finish(job.runId, progress.messagesSynced);
    this.logger.info(
      { userId: job.userId, runId: job.runId, messages: progress.messagesSynced, skipped: progress.skipped },
      'mailbox sync finished',
    );
  }

  /**
   * The mailbox must wait `waitMs` (Graph's Retry-After, or its budget): the job is parked until then and this
   * delivery ends, so the lane and the lease go to others meanwhile. If it cannot be parked (Redis down), it
   * waits here as before, heartbeating, and goes on.
   */
  private async parkOrWait(job: SyncEmailMessage, ctx: HandlerContext, waitMs: number): Promise<void> {
    const log = { userId: job.userId, runId: job.runId, waitMs };
    try {
      await this.parked.park(TOPICS.syncEmail, job, Date.now() + waitMs);
      this.logger.info(log, 'mailbox paused by Graph; sync parked until the pause is over');
      return;
    } catch (err) {
      this.logger.warn({ ...log, err }, 'sync could not be parked; waiting in its lane');
    }
    for (let left = waitMs; left > 0; left -= HEARTBEAT_EVERY_MS) {
      await sleep(Math.min(left, HEARTBEAT_EVERY_MS));
      await ctx.heartbeat();
    }
    await this.run(job, ctx);
  }

  private async reportRunning(runId: string, progress: SyncProgress): Promise<void> {
    await this.publisher.publish(TOPICS.emailAck, progress.ack('running'));
    await this.runs.progress(runId, progress.messagesSynced);
  }

  private async fail(job: SyncEmailMessage, progress: SyncProgress, reason: string): Promise<void> {
    this.logger.warn({ userId: job.userId, runId: job.runId, reason }, 'mailbox sync failed');
    await this.runs.fail(job.runId, reason);
    await this.publisher.publish(TOPICS.emailAck, progress.ack('failed', reason));
  }
}

function describe(error: unknown): string {
  if (error instanceof GraphError) return `graph_error: ${error.statusCode} ${error.code ?? ''}`.trim();
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
