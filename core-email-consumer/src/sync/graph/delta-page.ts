import { EmailRow, toEmailRow } from './email-row';
import { graphDeltaPageSchema, graphMessageSchema, graphRemovedSchema } from './graph-schemas';
import { RowBatch } from './row-batch';

/** One delta page, checked and reduced to what the write needs. */
export interface DeltaPage {
  upserts: RowBatch;
  removedIds: string[];
  /** Items that failed validation: skipped and counted, never fatal. */
  skipped: number;
  nextLink?: string;
  deltaLink?: string;
}

export class MalformedGraphResponseError extends Error {
  constructor(what: string) {
    super(`malformed Graph response: ${what}`);
    this.name = 'MalformedGraphResponseError';
  }
}

/**
 * Checks a raw page. Graph may repeat an item within a page (replays): the last occurrence wins, so the
 * one statement never touches a row twice. Links must point at our Graph origin: a forged link would
 * otherwise steer the next request (and its token) elsewhere.
 */
export function parseDeltaPage(raw: unknown, folderGraphId: string, graphOrigin: string): DeltaPage {
  const envelope = graphDeltaPageSchema.safeParse(raw);
  if (!envelope.success) throw new MalformedGraphResponseError('delta page envelope');
  const nextLink = envelope.data['@odata.nextLink'];
  const deltaLink = envelope.data['@odata.deltaLink'];
  if ((nextLink === undefined) === (deltaLink === undefined)) {
    throw new MalformedGraphResponseError('a delta page needs exactly one of nextLink and deltaLink');
  }
  for (const link of [nextLink, deltaLink]) {
    if (link !== undefined && new URL(link).origin !== graphOrigin) {
      throw new MalformedGraphResponseError('a delta link points outside Graph');
    }
  }
  const latest = new Map<string, EmailRow | null>();
  let skipped = 0;
  for (const item of envelope.data.value) {
    if (isRemoval(item)) {
      const removed = graphRemovedSchema.safeParse(item);
      if (!removed.success) {
        skipped += 1;
        continue;
      }
      latest.delete(removed.data.id);
      latest.set(removed.data.id, null);
      continue;
    }
    const message = graphMessageSchema.safeParse(item);
    if (!message.success) {
      skipped += 1;
      continue;
    }
    latest.delete(message.data.id);
    latest.set(message.data.id, toEmailRow(message.data, folderGraphId));
  }
  const upserts: EmailRow[] = [];
  const removedIds: string[] = [];
  for (const [id, row] of latest) {
    if (row) upserts.push(row);
    else removedIds.push(id);
  }
  return { upserts: RowBatch.of(upserts), removedIds, skipped, nextLink, deltaLink };
}

/** Only removals carry `@removed`; asking first spares every message a failed parse. */
function isRemoval(item: unknown): boolean {
  return typeof item === 'object' && item !== null && '@removed' in item;
}
