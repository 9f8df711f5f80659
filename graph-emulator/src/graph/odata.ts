// OData query options as Graph validates them: unknown $options, bad $top/$skip, unknown $select
// properties and unsupported $orderby/$filter all get a 400 with Graph's envelope.
import type { Request } from 'express';
import { GraphError, graphErrors } from '../http/errors';
import type { IdType } from '../store/message-ids';
import type { MessageRecord } from '../store/types';

export const MESSAGE_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'internetMessageId',
  'subject',
  'bodyPreview',
  'importance',
  'parentFolderId',
  'conversationId',
  'conversationIndex',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'isRead',
  'isDraft',
  'webLink',
  'inferenceClassification',
  'body',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'flag',
  'uniqueBody',
  'internetMessageHeaders',
] as const;

export const FOLDER_PROPERTIES = [
  'id',
  'displayName',
  'parentFolderId',
  'childFolderCount',
  'unreadItemCount',
  'totalItemCount',
  'isHidden',
  'sizeInBytes',
] as const;

const MESSAGE_LOOKUP = new Map<string, string>(MESSAGE_PROPERTIES.map((p) => [p.toLowerCase(), p]));
const FOLDER_LOOKUP = new Map<string, string>(FOLDER_PROPERTIES.map((p) => [p.toLowerCase(), p]));

export type Query = Record<string, string>;

/** Flattens req.query, rejecting repeated parameters and unknown $options. */
export function readQuery(req: Request, allowed: string[]): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (typeof value !== 'string')
      throw graphErrors.badRequest(`Query option '${key}' is specified more than once.`);
    const lower = key.toLowerCase();
    if (lower.startsWith('$') && !allowed.includes(lower)) {
      throw graphErrors.badRequest(
        `Query option '${key}' is not allowed. Allowed: ${allowed.join(', ') || 'none'}.`,
      );
    }
    out[lower] = value;
  }
  return out;
}

export function parseSelect(
  raw: string | undefined,
  kind: 'message' | 'folder' = 'message',
): string[] | undefined {
  if (raw === undefined) return undefined;
  const lookup = kind === 'message' ? MESSAGE_LOOKUP : FOLDER_LOOKUP;
  const names = raw.split(',').map((s) => s.trim());
  if (names.some((n) => n === ''))
    throw graphErrors.badRequest("Syntax error: character ',' is not valid at this position in $select.");
  return [
    ...new Set(
      names.map((name) => {
        const canonical = lookup.get(name.toLowerCase());
        if (!canonical)
          throw graphErrors.unknownProperty(
            name,
            kind === 'message' ? 'microsoft.graph.message' : 'microsoft.graph.mailFolder',
          );
        return canonical;
      }),
    ),
  ];
}

export function parseIntOption(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw))
    throw graphErrors.badRequest(`Invalid value '${raw}' for query option '${name}'.`);
  const n = Number(raw);
  if (n < min || n > max)
    throw graphErrors.badRequest(`The value of '${name}' must be between ${min} and ${max}.`);
  return n;
}

/** Only receivedDateTime ordering is indexed; anything else is rejected rather than silently ignored. */
export function parseOrderBy(raw: string | undefined): { newestFirst: boolean } {
  if (raw === undefined) return { newestFirst: true };
  const m = /^\s*receivedDateTime(\s+(asc|desc))?\s*$/i.exec(raw);
  if (!m) {
    const prop = raw.trim().split(/\s+/)[0];
    if (!MESSAGE_LOOKUP.has(prop.toLowerCase())) throw graphErrors.unknownProperty(prop);
    throw graphErrors.badRequest(
      `The emulator supports $orderby=receivedDateTime [asc|desc] only, not '${raw}'.`,
    );
  }
  return { newestFirst: (m[2] ?? 'asc').toLowerCase() === 'desc' };
}

export type MessagePredicate = (m: MessageRecord) => boolean;

interface Clause {
  property: string;
  test: MessagePredicate;
}

const OPS: Record<string, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
};

function parseClause(text: string): Clause {
  const m = /^\s*([A-Za-z/]+)\s+(eq|ne|gt|ge|lt|le)\s+(.+?)\s*$/i.exec(text);
  if (!m) throw graphErrors.badRequest('Invalid filter clause');
  const [, rawProp, rawOp, value] = m;
  const prop = rawProp.toLowerCase();
  const op = rawOp.toLowerCase();
  const cmp = OPS[op];
  if (prop === 'receiveddatetime') {
    const ms = Date.parse(value.replace(/^'|'$/g, ''));
    if (Number.isNaN(ms)) throw graphErrors.badRequest('Invalid filter clause');
    return { property: 'receivedDateTime', test: (msg) => cmp(msg.receivedMs, ms) };
  }
  if (prop === 'isread' || prop === 'hasattachments' || prop === 'isdraft') {
    if (value !== 'true' && value !== 'false') throw graphErrors.badRequest('Invalid filter clause');
    if (op !== 'eq' && op !== 'ne') throw graphErrors.badRequest('Invalid filter clause');
    const want = value === 'true';
    const key = prop === 'isread' ? 'isRead' : prop === 'isdraft' ? 'isDraft' : 'hasAttachments';
    return { property: key, test: (msg) => (msg[key] === want) === (op === 'eq') };
  }
  const str = /^'(.*)'$/.exec(value);
  if (!str || (op !== 'eq' && op !== 'ne')) throw graphErrors.badRequest('Invalid filter clause');
  const want = str[1].replace(/''/g, "'").toLowerCase();
  const pick: Record<string, (msg: MessageRecord) => string> = {
    importance: (msg) => msg.importance,
    subject: (msg) => msg.subject.toLowerCase(),
    'from/emailaddress/address': (msg) => msg.from.address.toLowerCase(),
    'sender/emailaddress/address': (msg) => msg.from.address.toLowerCase(),
  };
  const get = pick[prop];
  if (!get) throw graphErrors.badRequest('Invalid filter clause');
  return { property: prop.split('/')[0], test: (msg) => (get(msg) === want) === (op === 'eq') };
}

/** A small $filter subset: clauses joined by `and`. Follows Graph's $orderby-must-lead rule. */
export function parseFilter(
  raw: string | undefined,
  orderBy: string | undefined,
): MessagePredicate | undefined {
  if (raw === undefined) return undefined;
  const clauses = raw.split(/\s+and\s+/i).map(parseClause);
  if (orderBy !== undefined && clauses[0].property.toLowerCase() !== 'receiveddatetime') {
    throw new GraphError(
      400,
      'InefficientFilter',
      'The restriction or sort order is too complex for this operation.',
    );
  }
  return (msg) => clauses.every((c) => c.test(msg));
}

export interface Preferences {
  /** This request's page size: Graph does not carry it over into next or delta links. */
  maxPageSize?: number;
  textBody: boolean;
  idType: IdType;
  applied: string[];
}

/** Prefer: odata.maxpagesize=N, outlook.body-content-type="text" and IdType="ImmutableId". */
export function parsePrefer(req: Request): Preferences {
  const header = req.header('prefer') ?? '';
  const applied: string[] = [];
  let maxPageSize: number | undefined;
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(header);
  if (m) {
    maxPageSize = Math.min(Math.max(Number(m[1]), 1), 1000);
    applied.push(`odata.maxpagesize=${maxPageSize}`);
  }
  const textBody = /outlook\.body-content-type\s*=\s*"?text"?/i.test(header);
  if (textBody) applied.push('outlook.body-content-type="text"');
  // Without it Graph answers with default REST ids, which change when a message moves.
  const idType: IdType = /IdType\s*=\s*"?ImmutableId"?/i.test(header) ? 'immutable' : 'default';
  if (idType === 'immutable') applied.push('IdType="ImmutableId"');
  return { maxPageSize, textBody, idType, applied };
}
