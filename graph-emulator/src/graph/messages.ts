// Reading messages: /messages (whole mailbox), /mailFolders/{id}/messages and single messages.
// Pages come straight from the ordered indexes; nextLink carries $skip as Graph's does. Oversized pages
// answer 504 as Exchange Online's gateway does (page-guard.ts).
import type { Request, Response } from 'express';
import { requestOrigin, type AppContext } from '../context';
import { graphErrors } from '../http/errors';
import type { SortedIndex } from '../store/sorted-index';
import type { MessageRecord } from '../store/types';
import { requireScope } from './auth';
import { callerOf, mailboxOf } from './caller';
import { findFolder, findMessage } from './lookup';
import {
  parseFilter,
  parseIntOption,
  parseOrderBy,
  parsePrefer,
  parseSelect,
  readQuery,
  type MessagePredicate,
} from './odata';
import { serializePage } from './page-guard';
import { sendGraph, sendGraphJson } from './respond';
import { messageJson } from './serialize';

const LIST_OPTIONS = ['$select', '$top', '$skip', '$orderby', '$filter', '$count'];

function filteredPage(
  index: SortedIndex,
  filter: MessagePredicate,
  skip: number,
  top: number,
  newestFirst: boolean,
) {
  // Filtered listing scans the folder; fine for the emulator's sizes and not on the delta hot path.
  const items = index.all();
  const out: MessageRecord[] = [];
  let matched = 0;
  let total = 0;
  for (let k = 0; k < items.length; k++) {
    const m = items[newestFirst ? items.length - 1 - k : k];
    if (!filter(m)) continue;
    total++;
    if (matched++ < skip) continue;
    if (out.length < top) out.push(m);
  }
  return { page: out, total };
}

/**
 * $top travels in the link only when the request had one: a page size from Prefer: odata.maxpagesize is that
 * request's preference, so a continuation without the header gets the default 10, as with Graph.
 */
function nextLinkQuery(q: Record<string, string>, skip: number): string {
  const parts: string[] = [];
  for (const key of ['$select', '$orderby', '$filter', '$count', '$top']) {
    if (q[key] !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(q[key])}`);
  }
  parts.push(`%24skip=${skip}`);
  return parts.join('&');
}

function listFrom(
  ctx: AppContext,
  req: Request,
  res: Response,
  index: SortedIndex,
  path: string,
  context: string,
): void {
  requireScope(callerOf(res), 'read');
  const q = readQuery(req, LIST_OPTIONS);
  const prefer = parsePrefer(req);
  const select = parseSelect(q.$select);
  const top = parseIntOption('$top', q.$top, 1, 1000, prefer.maxPageSize ?? 10);
  const skip = parseIntOption('$skip', q.$skip, 0, 1_000_000_000, 0);
  const { newestFirst } = parseOrderBy(q.$orderby);
  const filter = parseFilter(q.$filter, q.$orderby);
  if (q.$count !== undefined && q.$count !== 'true' && q.$count !== 'false') {
    throw graphErrors.badRequest(`Invalid value '${q.$count}' for $count.`);
  }
  const { page, total } = filter
    ? filteredPage(index, filter, skip, top, newestFirst)
    : { page: index.page(skip, top, newestFirst), total: index.size };
  const origin = requestOrigin(ctx, req);
  const selectSuffix = select ? `(${select.join(',')})` : '';
  const body: Record<string, unknown> = {
    '@odata.context': `${origin}/v1.0/$metadata#${context}${selectSuffix}`,
  };
  if (q.$count === 'true') body['@odata.count'] = total;
  body.value = page.map((m) => messageJson(m, { select, textBody: prefer.textBody, idType: prefer.idType }));
  if (skip + top < total) body['@odata.nextLink'] = `${origin}/v1.0/${path}?${nextLinkQuery(q, skip + top)}`;
  sendGraphJson(res, 200, serializePage(ctx, body), prefer.applied);
}

export function listMailbox(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const mailbox = mailboxOf(res);
    const seg = res.locals.userSegment ?? 'me';
    listFrom(ctx, req, res, mailbox.all, `${seg}/messages`, `users('${mailbox.identity.id}')/messages`);
  };
}

export function listFolder(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const mailbox = mailboxOf(res);
    const folder = findFolder(mailbox, String(req.params.folderId));
    const seg = res.locals.userSegment ?? 'me';
    const id = folder.record.id;
    listFrom(
      ctx,
      req,
      res,
      folder.index,
      `${seg}/mailFolders/${id}/messages`,
      `users('${mailbox.identity.id}')/mailFolders('${id}')/messages`,
    );
  };
}

export function getMessage(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'read');
    const mailbox = mailboxOf(res);
    const folder = req.params.folderId ? findFolder(mailbox, String(req.params.folderId)) : undefined;
    const msg = findMessage(mailbox, String(req.params.messageId), folder);
    const q = readQuery(req, ['$select', '$expand']);
    const prefer = parsePrefer(req);
    const select = parseSelect(q.$select);
    const origin = requestOrigin(ctx, req);
    const body = {
      '@odata.context': `${origin}/v1.0/$metadata#users('${mailbox.identity.id}')/messages/$entity`,
      ...messageJson(msg, { select, textBody: prefer.textBody, idType: prefer.idType }),
    };
    sendGraph(res, 200, body, prefer.applied);
  };
}
