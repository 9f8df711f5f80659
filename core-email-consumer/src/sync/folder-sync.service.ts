import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { GraphWaitOption, LOGGER } from '@core-email/platform';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { DeltaPageWriter } from './delta-page-writer';
import { DeltaPage, parseDeltaPage } from './graph/delta-page';
import { fetchDeltaPage, isFolderGone, isGatewayTimeout, isSyncStateGone } from './graph/graph-mail';
import type { PageTurn } from './page-turn';
import { FolderState, MailFoldersRepository } from './repositories/mail-folders.repository';

/** A folder whose delta answers 410 again right after a restart is not going to get better this run. */
const MAX_RESTARTS = 2;
/** Each 504 of a page divides the folder's page size by this (500 → 125 → 31 → 10). */
const PAGE_SHRINK_FACTOR = 4;

export interface FolderRun {
  userId: string;
  runId: string;
  mode: 'incremental' | 'full';
  client: Client;
  /** Called after each committed page with the page's item counts. */
  onPage(folderId: string, items: number, skipped: number): Promise<void>;
  /**
   * Called with a page's message ids just before the page is written, so a caller (the real-time apply) can
   * tell new messages from changed ones and report exactly what changed.
   */
  beforePage?(folderId: string, upsertedIds: string[], removedIds: string[]): Promise<void>;
  /** The sync's share of the process's page slots (one per folder task); without it pages are not gated. */
  pageTurn?(): PageTurn;
}

/** The delta of one folder, page by page, each page committed with its link (see DeltaPageWriter). */
@Injectable()
export class FolderSyncService {
  private readonly graphOrigin: string;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @InjectDataSource() private readonly db: DataSource,
    private readonly folders: MailFoldersRepository,
    private readonly pages: DeltaPageWriter,
  ) {
    this.graphOrigin = new URL(config.env.GRAPH_BASE_URL).origin;
  }

  async sync(run: FolderRun, folder: FolderState): Promise<void> {
    let state = this.needsFreshRound(run, folder) ? await this.startFresh(run, folder) : folder;
    let restarts = 0;
    // Graph does not keep the page size in its links: it goes with every request, and shrinks for this
    // folder when a page times out.
    let pageSize = this.config.env.SYNC_PAGE_SIZE;
    const turn = run.pageTurn?.();
    const waits = turn ? [new GraphWaitOption({ around: turn.around })] : undefined;
    for (;;) {
      // Each page (its fetch and its store) in a slot of the process's page capacity.
      await turn?.begin();
      try {
        const next = await this.page(run, state, pageSize, restarts, waits);
        if (next === 'done') return;
        ({ state, pageSize, restarts } = next);
      } finally {
        turn?.end();
      }
    }
  }

  /** One page: fetched, stored, reported; what the next page starts from, or 'done'. */
  private async page(
    run: FolderRun,
    state: FolderState,
    pageSize: number,
    restarts: number,
    waits: GraphWaitOption[] | undefined,
  ): Promise<{ state: FolderState; pageSize: number; restarts: number } | 'done'> {
    let raw: unknown;
    try {
      raw = await fetchDeltaPage(run.client, state.graphId, state.deltaLink, pageSize, waits);
    } catch (error) {
      if (isGatewayTimeout(error) && pageSize > this.config.env.SYNC_MIN_PAGE_SIZE) {
        pageSize = Math.max(this.config.env.SYNC_MIN_PAGE_SIZE, Math.floor(pageSize / PAGE_SHRINK_FACTOR));
        this.logger.warn(
          { userId: run.userId, folder: state.graphId, pageSize },
          'delta page timed out (504); asking for smaller pages',
        );
        return { state, pageSize, restarts };
      }
      if (isSyncStateGone(error) && restarts < MAX_RESTARTS) {
        restarts += 1;
        this.logger.warn(
          { userId: run.userId, folder: state.graphId },
          'delta state gone (410); restarting the folder',
        );
        return { state: await this.startFresh(run, state), pageSize, restarts };
      }
      if (isFolderGone(error)) return 'done';
      throw error;
    }
    const page = parseDeltaPage(raw, state.graphId, this.graphOrigin);
    raw = undefined; // the raw page is garbage from here on, while the write awaits
    const roundDone = page.deltaLink !== undefined;
    if (roundDone && this.nothingToSave(state, page)) {
      // The newest link, always: Exchange keeps only the last few generations of a folder's delta state,
      // so a link kept for later would soon answer 410 and cost a full download of the folder.
      await this.folders.saveLink(this.db.manager, {
        userId: run.userId,
        graphId: state.graphId,
        round: state.round!,
        link: page.deltaLink!,
        roundDone: true,
      });
      return 'done';
    }
    await run.beforePage?.(state.graphId, page.upserts.ids, page.removedIds);
    await this.pages.write({
      userId: run.userId,
      folderGraphId: state.graphId,
      round: state.round!,
      roundIsFresh: state.roundIsFresh,
      upserts: page.upserts,
      removedIds: page.removedIds,
      link: (page.deltaLink ?? page.nextLink)!,
      roundDone,
    });
    if (page.skipped > 0) {
      this.logger.warn(
        { userId: run.userId, folder: state.graphId, skipped: page.skipped },
        'skipped malformed items',
      );
    }
    await run.onPage(state.graphId, page.upserts.size + page.removedIds.length, page.skipped);
    if (roundDone) return 'done';
    return { state: { ...state, deltaLink: page.nextLink! }, pageSize, restarts };
  }

  /**
   * A last page with no changes in a folder whose round already ended: only its link is new, so it is saved
   * with one UPDATE instead of the page transaction (a real-time pass may run every folder's delta).
   */
  private nothingToSave(state: FolderState, page: DeltaPage): boolean {
    if (page.upserts.size > 0 || page.removedIds.length > 0 || page.skipped > 0) return false;
    return !state.roundIsFresh;
  }

  /**
   * A full run restarts each folder once (a redelivered full run continues the round it started); an
   * incremental run restarts only folders that never had a round.
   */
  private needsFreshRound(run: FolderRun, folder: FolderState): boolean {
    if (folder.round === null || folder.deltaLink === null) return true;
    return run.mode === 'full' && folder.roundRunId !== run.runId;
  }

  private startFresh(run: FolderRun, folder: FolderState): Promise<FolderState> {
    return this.folders.startFreshRound(this.db.manager, run.userId, folder.graphId, run.runId);
  }
}
