import { Injectable } from '@nestjs/common';
import type { Client } from '@microsoft/microsoft-graph-client';
import { FetchedMessage, MessageChanges, SyncApi } from '../sync/sync-api';
import type { Difference, StoredMessage } from './audit-diff';
import type { RepairOutcome } from './folder-report';

/** Messages fetched and written together: one statement each, bodies included, kept to a few megabytes. */
const CHUNK = 50;

export interface RepairRequest {
  client: Client;
  userId: string;
  differences: readonly Difference[];
  stored: ReadonlyMap<string, StoredMessage>;
  /** Folders the copy has synced: a message Graph files elsewhere is left to the sync. */
  syncedFolders: ReadonlySet<string>;
  onChunk(): Promise<void>;
}

export interface RepairResult {
  outcomes: Map<string, RepairOutcome>;
  changes: MessageChanges;
}

/**
 * Repairs differences the way real time applies a named change: each message fetched by id (Graph's current
 * state, within the mailbox's limiter) and written as the sync writes them, filed under the folder Graph
 * reports; an id Graph answers 404 for is deleted. So an "extra" is deleted only once Graph has confirmed it
 * has no such message, whatever the listings said.
 */
@Injectable()
export class AuditRepairService {
  constructor(private readonly sync: SyncApi) {}

  async repair(req: RepairRequest): Promise<RepairResult> {
    const result: RepairResult = { outcomes: new Map(), changes: { created: [], updated: [], deleted: [] } };
    for (let i = 0; i < req.differences.length; i += CHUNK) {
      await this.repairChunk(req, req.differences.slice(i, i + CHUNK), result);
      await req.onChunk();
    }
    return result;
  }

  private async repairChunk(req: RepairRequest, chunk: Difference[], result: RepairResult): Promise<void> {
    const answers = await Promise.all(chunk.map((d) => this.sync.fetchMessage(req.client, d.id)));
    const fetched: FetchedMessage[] = [];
    const removed: string[] = [];
    for (const [i, answer] of answers.entries()) {
      const d = chunk[i];
      if (answer === 'gone') {
        if (req.stored.has(d.id)) removed.push(d.id);
        result.outcomes.set(d.id, 'fixed');
        continue;
      }
      if (answer === 'unusable' || !req.syncedFolders.has(answer.folderId)) {
        result.outcomes.set(d.id, 'unrepaired');
        continue;
      }
      const before = req.stored.get(d.id);
      if (
        d.kind === 'extra' &&
        before?.folderId === answer.folderId &&
        before.changeKey === answer.changeKey
      ) {
        result.outcomes.set(d.id, 'same');
        continue;
      }
      fetched.push(answer);
      result.outcomes.set(d.id, d.kind === 'extra' ? 'found' : 'fixed');
    }
    const changes = await this.sync.writeMessages({
      userId: req.userId,
      messages: fetched,
      removedIds: removed,
    });
    result.changes.created.push(...changes.created);
    result.changes.updated.push(...changes.updated);
    result.changes.deleted.push(...changes.deleted);
  }
}
