import { Client, GraphError, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { GraphFolder, graphFolderPageSchema, graphFolderSchema, MESSAGE_SELECT } from './graph-schemas';
import { MalformedGraphResponseError } from './delta-page';

/** Immutable ids survive moves (graph-protocol.md §4.3), so a moved message keeps its row. */
const IMMUTABLE_IDS = 'IdType="ImmutableId"';
/** A mailbox with more folders than this is treated as hostile rather than walked forever. */
const MAX_FOLDERS = 5_000;

/** Every folder of the mailbox, child folders included (breadth first, hidden ones too). */
export async function listAllFolders(client: Client): Promise<GraphFolder[]> {
  const found = new Map<string, GraphFolder>();
  const queue: string[] = ['/me/mailFolders'];
  while (queue.length > 0) {
    const path = queue.shift()!;
    for (const folder of await listFolderPages(client, path)) {
      if (found.has(folder.id)) continue;
      if (found.size >= MAX_FOLDERS) throw new MalformedGraphResponseError('too many folders');
      found.set(folder.id, folder);
      if ((folder.childFolderCount ?? 0) > 0) {
        queue.push(`/me/mailFolders/${encodeURIComponent(folder.id)}/childFolders`);
      }
    }
  }
  return [...found.values()];
}

async function listFolderPages(client: Client, path: string): Promise<GraphFolder[]> {
  const folders: GraphFolder[] = [];
  let raw: unknown = await client
    .api(path)
    .header('Prefer', IMMUTABLE_IDS)
    .query({ includeHiddenFolders: 'true' })
    .top(100)
    .get();
  for (let pages = 0; ; pages += 1) {
    const page = graphFolderPageSchema.safeParse(raw);
    if (!page.success || pages > MAX_FOLDERS) throw new MalformedGraphResponseError('folder page');
    for (const item of page.data.value) {
      const folder = graphFolderSchema.safeParse(item);
      if (folder.success) folders.push(folder.data);
    }
    const next = page.data['@odata.nextLink'];
    if (!next) return folders;
    raw = await client.api(next).header('Prefer', IMMUTABLE_IDS).get();
  }
}

/**
 * One delta page: from `link` (a saved next or delta link, used as is) or, without one, the first page of
 * a fresh round with our $select. The page size goes in Prefer on every request, as the docs do;
 * `middleware` carries per-request options (GraphWaitOption: what the request does while it waits).
 */
export async function fetchDeltaPage(
  client: Client,
  folderGraphId: string,
  link: string | null,
  pageSize: number,
  middleware: MiddlewareOptions[] = [],
): Promise<unknown> {
  const prefer = `odata.maxpagesize=${pageSize}, ${IMMUTABLE_IDS}`;
  if (link) return client.api(link).header('Prefer', prefer).middlewareOptions(middleware).get();
  return client
    .api(`/me/mailFolders/${encodeURIComponent(folderGraphId)}/messages/delta`)
    .header('Prefer', prefer)
    .select(MESSAGE_SELECT)
    .middlewareOptions(middleware)
    .get();
}

/**
 * One message by its (immutable) id with the sync's $select; null when the mailbox no longer has it (deleted,
 * or never ours to read: Graph answers 404 for both).
 */
export async function fetchMessage(client: Client, messageId: string): Promise<unknown> {
  try {
    return await client
      .api(`/me/messages/${encodeURIComponent(messageId)}`)
      .header('Prefer', IMMUTABLE_IDS)
      .select(MESSAGE_SELECT)
      .get();
  } catch (error) {
    if (error instanceof GraphError && error.statusCode === 404) return null;
    throw error;
  }
}

/** Codes that mean "this delta state is no more", whatever the status (Exchange sends them with 400 too). */
const SYNC_STATE_GONE = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);

/** 410 SyncStateNotFound, resyncRequired or SyncStateInvalid: the folder's delta must start over. */
export function isSyncStateGone(error: unknown): boolean {
  if (!(error instanceof GraphError)) return false;
  return error.statusCode === 410 || SYNC_STATE_GONE.has((error.code ?? '').toLowerCase());
}

/** The folder disappeared between the listing and its delta: nothing to sync there this run. */
export function isFolderGone(error: unknown): boolean {
  if (!(error instanceof GraphError)) return false;
  return error.statusCode === 404 || (error.code ?? '').toLowerCase() === 'errorsyncfoldernotfound';
}

/** Graph gave up on the page (it does on pages of many large messages): a smaller page may pass. */
export function isGatewayTimeout(error: unknown): boolean {
  return error instanceof GraphError && error.statusCode === 504;
}
