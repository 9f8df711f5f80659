import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphClients, inParallel, isMailboxUnusable, MailboxTokens } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { GraphFolder, MessageChanges, SyncApi } from '../sync/sync-api';
import { countByFolder, findDifferences, ListedMessage, StoredMessage } from './audit-diff';
import { AuditRepairService } from './audit-repair.service';
import { AuditedFolder, FolderReport, folderReports } from './folder-report';
import { FolderListing, listFolderMessages } from './graph/message-listing';
import { CopyFolder, MailAuditsRepository } from './mail-audits.repository';
import { describeError } from './audit-errors';

export interface AuditResult {
  startedAt: Date;
  reports: FolderReport[];
  changes: MessageChanges;
  /** A sync the copy needs that the audit cannot do itself (folders it has not synced, too many differences). */
  sync?: 'incremental' | 'full';
}

type ListingOutcome = FolderListing | { failed: string } | null;

/**
 * One audit of one mailbox (the caller holds its lease): every folder listed at Graph by id and change key,
 * compared with the copy, the differences repaired by id, the result per folder.
 */
@Injectable()
export class MailboxAuditor {
  private readonly graphOrigin: string;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    private readonly graph: GraphClients,
    private readonly tokens: MailboxTokens,
    private readonly repo: MailAuditsRepository,
    private readonly repairs: AuditRepairService,
    private readonly sync: SyncApi,
  ) {
    this.graphOrigin = new URL(config.env.GRAPH_BASE_URL).origin;
  }

  /** Undefined when the copy has no folder yet: the first sync has not run, there is nothing to prove. */
  async audit(userId: string, heartbeat: () => Promise<void>): Promise<AuditResult | undefined> {
    const startedAt = await this.repo.now();
    const copyFolders = await this.repo.folders(userId);
    if (copyFolders.length === 0) return undefined;
    await this.tokens.getAccessToken(userId); // a dead grant fails here, before any Graph call
    const client = this.graph.forMailbox(userId);
    const graphFolders = await this.sync.graphFolders(client);
    const listings = await this.listFolders(client, graphFolders, heartbeat);
    const stored = await this.repo.storedMessages(userId);

    const listed = new Map<string, ListedMessage>();
    const unlisted = new Set<string>();
    for (const [folderId, listing] of listings) {
      if (listing === null || 'failed' in listing) unlisted.add(folderId);
      else for (const [id, changeKey] of listing.messages) listed.set(id, { changeKey, folderId });
    }
    const storedCounts = countByFolder(stored);
    const folders = auditedFolders(graphFolders, copyFolders, listings, storedCounts);
    const known = new Set([...graphFolders.map((g) => g.id), ...copyFolders.map((f) => f.graphId)]);
    // Rows may only be repaired in folders the copy has synced; rows filed under a folder that neither the
    // mailbox nor the copy knows (orphans) may be too: they can only be deleted or moved to a real folder.
    const synced = new Set([
      ...copyFolders.filter((f) => f.synced && !unlisted.has(f.graphId)).map((f) => f.graphId),
      ...[...storedCounts.keys()].filter((id) => !known.has(id)),
    ]);
    const differences = findDifferences(listed, stored, unlisted);
    const repairable = differences.filter((d) => synced.has(d.folderId));
    const needsSync = folders.some(isNotSynced);

    if (repairable.length > this.config.env.AUDIT_REPAIR_MAX) {
      const reason = `${repairable.length} differences, more than AUDIT_REPAIR_MAX: a full sync was requested`;
      const reports = folderReports(folders, differences, new Map(), () => reason);
      return { startedAt, reports, changes: { created: [], updated: [], deleted: [] }, sync: 'full' };
    }
    const { outcomes, changes } = await this.repairs.repair({
      client,
      userId,
      differences: repairable,
      stored: new Map(stored.map((s): [string, StoredMessage] => [s.graphId, s])),
      syncedFolders: synced,
      onChunk: heartbeat,
    });
    const reports = folderReports(folders, differences, outcomes, unrepairedReason);
    return { startedAt, reports, changes, sync: needsSync ? 'incremental' : undefined };
  }

  /** Every Graph folder's listing; a folder that fails is reported as failed, the others still count. */
  private async listFolders(
    client: Client,
    folders: GraphFolder[],
    heartbeat: () => Promise<void>,
  ): Promise<Map<string, ListingOutcome>> {
    const listings = new Map<string, ListingOutcome>();
    // The mailbox's Graph limiter bounds the requests in flight whatever this allows.
    await inParallel(folders, this.config.env.SYNC_FOLDER_CONCURRENCY, async (folder) => {
      try {
        listings.set(
          folder.id,
          await listFolderMessages(
            client,
            folder.id,
            this.config.env.AUDIT_PAGE_SIZE,
            this.graphOrigin,
            heartbeat,
          ),
        );
      } catch (error) {
        if (isMailboxUnusable(error)) throw error; // the mailbox is unusable: the whole audit fails
        listings.set(folder.id, { failed: `listing failed: ${describeError(error)}` });
      }
    });
    return listings;
  }
}

const NOT_IN_COPY = 'not in the copy yet: a sync was requested';
const STILL_SYNCING = 'the sync of this folder has not finished a round: a sync was requested';
const GONE_FROM_GRAPH = 'no longer in the mailbox: a sync was requested to drop it';
/** Rows filed under a folder neither the mailbox nor the copy has: shown, and their rows audited. */
const ORPHAN_NAME = '(unknown folder)';

function isNotSynced(f: AuditedFolder): boolean {
  return f.problem === NOT_IN_COPY || f.problem === STILL_SYNCING || f.problem === GONE_FROM_GRAPH;
}

function unrepairedReason(count: number): string {
  return `${count} difference(s) could not be repaired (in a folder the copy has not synced, or malformed at Graph)`;
}

/** The folders of the mailbox and of the copy, each with what stands in the way of proving it complete. */
function auditedFolders(
  graphFolders: GraphFolder[],
  copyFolders: CopyFolder[],
  listings: Map<string, ListingOutcome>,
  storedCounts: Map<string, number>,
): AuditedFolder[] {
  const copy = new Map(copyFolders.map((f) => [f.graphId, f]));
  const audited: AuditedFolder[] = graphFolders.map((g) => {
    const listing = listings.get(g.id);
    const inCopy = copy.get(g.id);
    const folder: AuditedFolder = {
      folderId: g.id,
      name: inCopy?.name ?? g.displayName ?? '',
      stored: storedCounts.get(g.id) ?? 0,
      atGraph: listing && !('failed' in listing) ? listing.messages.size : 0,
    };
    if (!inCopy) folder.problem = NOT_IN_COPY;
    else if (!inCopy.synced) folder.problem = STILL_SYNCING;
    else if (listing === null) folder.problem = 'the folder disappeared during the audit';
    else if (listing && 'failed' in listing) folder.problem = listing.failed;
    else if (listing && listing.skipped > 0) {
      folder.problem = `${listing.skipped} item(s) Graph listed failed the checks`;
    }
    return folder;
  });
  const known = new Set(graphFolders.map((g) => g.id));
  for (const f of copyFolders) {
    if (known.has(f.graphId)) continue;
    known.add(f.graphId);
    audited.push({
      folderId: f.graphId,
      name: f.name,
      stored: storedCounts.get(f.graphId) ?? 0,
      atGraph: 0,
      problem: GONE_FROM_GRAPH,
    });
  }
  for (const [folderId, stored] of storedCounts) {
    if (known.has(folderId)) continue;
    audited.push({ folderId, name: ORPHAN_NAME, stored, atGraph: 0 });
  }
  return audited;
}
