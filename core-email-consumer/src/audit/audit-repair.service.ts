import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Client } from '@microsoft/microsoft-graph-client';
import { ApplyMessagesCommand } from '../sync/commands/apply-messages.command';
import { EmailRow, toEmailRow } from '../sync/graph/email-row';
import { fetchMessage } from '../sync/graph/graph-mail';
import { graphMessageSchema } from '../sync/graph/graph-schemas';
import { RowBatch } from '../sync/graph/row-batch';
import type { MessageChanges } from '../sync/repositories/emails.repository';
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
 * state, within the mailbox's limiter) and written with ApplyMessagesCommand, filed under the folder Graph
 * reports; an id Graph answers 404 for is deleted. So an "extra" is deleted only once Graph has confirmed it
 * has no such message, whatever the listings said.
 */
@Injectable()
export class AuditRepairService {
  constructor(private readonly commands: CommandBus) {}

  async repair(req: RepairRequest): Promise<RepairResult> {
    const result: RepairResult = { outcomes: new Map(), changes: { created: [], updated: [], deleted: [] } };
    for (let i = 0; i < req.differences.length; i += CHUNK) {
      await this.repairChunk(req, req.differences.slice(i, i + CHUNK), result);
      await req.onChunk();
    }
    return result;
  }

  private async repairChunk(req: RepairRequest, chunk: Difference[], result: RepairResult): Promise<void> {
    const answers = await Promise.all(chunk.map((d) => fetchMessage(req.client, d.id)));
    const upserts: EmailRow[] = [];
    const removed: string[] = [];
    for (const [i, raw] of answers.entries()) {
      const d = chunk[i];
      if (raw === null) {
        if (req.stored.has(d.id)) removed.push(d.id);
        result.outcomes.set(d.id, 'fixed');
        continue;
      }
      const parsed = graphMessageSchema.safeParse(raw);
      const folder = parsed.success ? parsed.data.parentFolderId : undefined;
      if (!parsed.success || parsed.data.id !== d.id || !folder || !req.syncedFolders.has(folder)) {
        result.outcomes.set(d.id, 'unrepaired');
        continue;
      }
      const before = req.stored.get(d.id);
      if (d.kind === 'extra' && before?.folderId === folder && before.changeKey === parsed.data.changeKey) {
        result.outcomes.set(d.id, 'same');
        continue;
      }
      upserts.push(toEmailRow(parsed.data, folder));
      result.outcomes.set(d.id, d.kind === 'extra' ? 'found' : 'fixed');
    }
    const changes = await this.commands.execute(
      new ApplyMessagesCommand(req.userId, RowBatch.of(upserts), removed),
    );
    result.changes.created.push(...changes.created);
    result.changes.updated.push(...changes.updated);
    result.changes.deleted.push(...changes.deleted);
  }
}
