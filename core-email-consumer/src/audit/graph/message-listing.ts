import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod/v4';
import { MalformedGraphResponseError } from '../../sync/sync-api';

/** Immutable ids, as the sync and real time store them: a moved message keeps its id. */
const IMMUTABLE_IDS = 'IdType="ImmutableId"';
/** Only what the comparison needs: a page of 500 costs tens of kilobytes, not the bodies the sync fetched. */
const LISTING_SELECT = ['id', 'changeKey', 'parentFolderId'];
/** A folder with more messages or pages than this is treated as hostile rather than walked forever. */
const MAX_ITEMS = 5_000_000;
const MAX_PAGES = 100_000;

const listedItemSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[\x21-\x7e]+$/),
  changeKey: z.string().max(512).nullish(),
});

const listingPageSchema = z.object({
  value: z.array(z.unknown()).max(10_000),
  '@odata.nextLink': z.url().optional(),
});

export interface FolderListing {
  /** Message id → its change key, as Graph lists the folder now. */
  messages: Map<string, string | null>;
  /** Items that failed the checks: the folder cannot be proven complete while Graph lists them. */
  skipped: number;
}

/**
 * Every message id of one folder with its change key (`GET /me/mailFolders/{id}/messages` with an id-only
 * $select), page by page through `@odata.nextLink`, used as Graph gives it. A next link must point at our
 * Graph origin: a forged one would otherwise steer the next request, and its token, elsewhere. Null when
 * the folder is gone (404).
 */
export async function listFolderMessages(
  client: Client,
  folderGraphId: string,
  pageSize: number,
  graphOrigin: string,
  /** Called after each page: a long listing must keep the Kafka consumer's session alive. */
  onPage: () => Promise<void>,
): Promise<FolderListing | null> {
  const listing: FolderListing = { messages: new Map(), skipped: 0 };
  try {
    let raw: unknown = await client
      .api(`/me/mailFolders/${encodeURIComponent(folderGraphId)}/messages`)
      .header('Prefer', IMMUTABLE_IDS)
      .select(LISTING_SELECT)
      .top(pageSize)
      .get();
    for (let pages = 1; ; pages += 1) {
      const next = addPage(listing, raw, graphOrigin);
      await onPage();
      if (!next) return listing;
      if (pages >= MAX_PAGES) throw new MalformedGraphResponseError('a folder listing without end');
      raw = await client.api(next).header('Prefer', IMMUTABLE_IDS).get();
    }
  } catch (error) {
    if (error instanceof GraphError && error.statusCode === 404) return null;
    throw error;
  }
}

/** Adds one page's items to the listing; returns the next link, if any. */
function addPage(listing: FolderListing, raw: unknown, graphOrigin: string): string | undefined {
  const page = listingPageSchema.safeParse(raw);
  if (!page.success) throw new MalformedGraphResponseError('message listing page');
  for (const item of page.data.value) {
    const parsed = listedItemSchema.safeParse(item);
    if (parsed.success) listing.messages.set(parsed.data.id, parsed.data.changeKey ?? null);
    else listing.skipped += 1;
  }
  if (listing.messages.size + listing.skipped > MAX_ITEMS) {
    throw new MalformedGraphResponseError('a folder listing without end');
  }
  const next = page.data['@odata.nextLink'];
  if (next !== undefined && new URL(next).origin !== graphOrigin) {
    throw new MalformedGraphResponseError('a listing link points outside Graph');
  }
  return next;
}
