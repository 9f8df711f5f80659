// GET …/mailFolders/{id}/messages/delta. A round pages through the folder's change log up to the sequence
// number it started at; changes made meanwhile land in the next round, so rounds converge. Initial rounds
// omit removals; later rounds report removed or moved-out messages as @removed.
//
// Like Exchange Online, a folder keeps only its last few delta sync-state generations: each deltaLink handed
// out is a new generation, and links (and the skip tokens of rounds started from them) older than the last
// EMULATOR_DELTA_TOKEN_GENERATIONS answer 410 SyncStateNotFound. A client that keeps replaying an old
// deltaLink instead of saving the newest one therefore loses its sync state after a few replays.
import type { Request, Response } from 'express';
import { requestOrigin, type AppContext } from '../context';
import { graphErrors, type GraphError } from '../http/errors';
import type { Folder, Mailbox } from '../store/mailbox';
import { defaultIdOf } from '../store/message-ids';
import { requireScope } from './auth';
import { callerOf, mailboxOf } from './caller';
import { decodeDeltaToken, encodeDeltaToken, type DeltaState } from './delta-token';
import { findFolder } from './lookup';
import { parseIntOption, parsePrefer, parseSelect, readQuery, type Preferences, type Query } from './odata';
import { serializePage } from './page-guard';
import { sendGraphJson } from './respond';
import { messageJson } from './serialize';
import type { DeltaScan } from '../store/delta-log';

/** Graph's page size when the request has no Prefer: odata.maxpagesize (continuations included). */
const DEFAULT_PAGE_SIZE = 10;
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);
const QUERY_OPTIONS = ['$select', '$top', '$filter', '$orderby', '$skiptoken', '$deltatoken', '$expand'];

function parseReceivedFilter(raw: string | undefined): { rf?: number; rfi?: 0 | 1 } {
  if (raw === undefined) return {};
  const m = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$/i.exec(raw);
  const ms = m ? Date.parse(m[2].replace(/^'|'$/g, '')) : NaN;
  if (!m || Number.isNaN(ms))
    throw graphErrors.badRequest('Delta supports $filter=receivedDateTime ge|gt {value} only.');
  return { rf: ms, rfi: m[1].toLowerCase() === 'ge' ? 1 : 0 };
}

function initialState(mailbox: Mailbox, folder: Folder, q: Query): DeltaState {
  if (q.$orderby !== undefined && !/^\s*receivedDateTime\s+desc\s*$/i.test(q.$orderby)) {
    throw graphErrors.badRequest('Delta supports $orderby=receivedDateTime desc only.');
  }
  const changeType = q.changetype?.toLowerCase();
  if (changeType !== undefined && !CHANGE_TYPES.has(changeType))
    throw graphErrors.badRequest(`Invalid changeType '${q.changetype}'.`);
  const top = q.$top === undefined ? undefined : parseIntOption('$top', q.$top, 1, 1_000_000, 0);
  return {
    mb: mailbox.identity.id,
    f: folder.record.id,
    ep: mailbox.deltaEpoch,
    g: folder.deltaGeneration,
    s: 0,
    e: mailbox.seq,
    c: 0,
    i: 1,
    sel: parseSelect(q.$select),
    top,
    tt: top,
    ...parseReceivedFilter(q.$filter),
    ct: changeType,
  };
}

/** Graph's text: "The sync state generation is not found; generation=149;[highest=157][157][156][155]." */
function generationGone(folder: Folder, generation: number, kept: number): GraphError {
  const highest = folder.deltaGeneration;
  let list = '';
  for (let g = highest; g > highest - kept && g >= 0; g--) list += `[${g}]`;
  return graphErrors.syncStateNotFound(`generation=${generation};[highest=${highest}]${list}.`);
}

function resumeState(ctx: AppContext, mailbox: Mailbox, folder: Folder, q: Query): DeltaState {
  if (q.$skiptoken !== undefined && q.$deltatoken !== undefined)
    throw graphErrors.badRequest('Use either $skiptoken or $deltatoken.');
  const token = (q.$skiptoken ?? q.$deltatoken)!;
  const st = decodeDeltaToken(token, ctx.state.deltaSecret);
  const generation = st.g ?? 0;
  const kept = ctx.config.deltaTokenGenerations;
  if (
    st.mb !== mailbox.identity.id ||
    st.f !== folder.record.id ||
    st.ep !== mailbox.deltaEpoch ||
    st.e > mailbox.seq ||
    generation > folder.deltaGeneration ||
    generation <= folder.deltaGeneration - kept
  ) {
    throw generationGone(folder, generation, kept);
  }
  if (q.$deltatoken === undefined) return st;
  // A deltatoken starts a new round from where the previous one ended.
  return { ...st, e: mailbox.seq, c: st.s, i: 0, top: st.tt };
}

function pageItems(
  mailbox: Mailbox,
  folder: Folder,
  st: DeltaState,
  scan: DeltaScan,
  prefer: Preferences,
): Record<string, unknown>[] {
  const value: Record<string, unknown>[] = [];
  for (const entry of scan.entries) {
    if (entry.removed) {
      if (st.ct === 'created' || st.ct === 'updated') continue;
      value.push({
        '@odata.type': '#microsoft.graph.message',
        // The id the client last saw in this folder: default ids changed with the move that removed it.
        id: prefer.idType === 'immutable' ? entry.id : defaultIdOf(entry.id, entry.moveGeneration),
        '@removed': { reason: 'deleted' },
      });
      continue;
    }
    if (st.ct === 'deleted') continue;
    const msg = mailbox.messages.get(entry.id);
    if (!msg || msg.folderId !== folder.record.id) continue;
    if (st.rf !== undefined && (st.rfi ? msg.receivedMs < st.rf : msg.receivedMs <= st.rf)) continue;
    value.push(
      messageJson(msg, { select: st.sel, textBody: prefer.textBody, idType: prefer.idType, withType: true }),
    );
  }
  return value;
}

export function deltaHandler(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'read');
    const mailbox = mailboxOf(res);
    const folder = findFolder(mailbox, String(req.params.folderId));
    const q = readQuery(req, QUERY_OPTIONS);
    const prefer = parsePrefer(req);
    const resuming = q.$skiptoken !== undefined || q.$deltatoken !== undefined;
    const st = resuming ? resumeState(ctx, mailbox, folder, q) : initialState(mailbox, folder, q);
    const pageSize = prefer.maxPageSize ?? DEFAULT_PAGE_SIZE;
    const limit = Math.min(pageSize, st.top ?? Number.MAX_SAFE_INTEGER);
    const scan = folder.log.scan(st.c, st.e, limit, st.i === 0);

    const remaining = st.top === undefined ? undefined : st.top - scan.entries.length;
    const capped = remaining !== undefined && remaining <= 0;
    const origin = requestOrigin(ctx, req);
    const base = `${origin}/v1.0/${res.locals.userSegment ?? 'me'}/mailFolders('${folder.record.id}')/messages/delta`;
    const body: Record<string, unknown> = {
      '@odata.context': `${origin}/v1.0/$metadata#Collection(message)`,
    };
    let newGeneration: number | undefined;
    if (scan.done || capped) {
      const since = scan.done ? st.e : scan.cursor;
      newGeneration = folder.deltaGeneration + 1;
      const next: DeltaState = { ...st, s: since, e: since, c: since, i: 0, top: st.tt, g: newGeneration };
      body['@odata.deltaLink'] = `${base}?%24deltatoken=${encodeDeltaToken(next, ctx.state.deltaSecret)}`;
    } else {
      const next: DeltaState = { ...st, c: scan.cursor, top: remaining };
      body['@odata.nextLink'] = `${base}?%24skiptoken=${encodeDeltaToken(next, ctx.state.deltaSecret)}`;
    }
    body.value = pageItems(mailbox, folder, st, scan, prefer);
    // Throws 504 for an oversized page before anything is committed, so the same link can be retried.
    const json = serializePage(ctx, body);
    // Not marked dirty: delta reads must not rewrite a 100k-message snapshot every 30 s. The counter is saved
    // with the next change and always at shutdown.
    if (newGeneration !== undefined) folder.deltaGeneration = newGeneration;
    sendGraphJson(res, 200, json, prefer.applied);
  };
}
