// GET …/mailFolders/{id}/messages/delta. A round pages through the folder's change log up to the sequence
// number it started at; changes made meanwhile land in the next round, so rounds converge. Initial rounds
// omit removals; later rounds report removed or moved-out messages as @removed.
import type { Request, Response } from 'express';
import { requestOrigin, type AppContext } from '../context';
import { graphErrors } from '../http/errors';
import type { Folder, Mailbox } from '../store/mailbox';
import { defaultIdOf } from '../store/message-ids';
import { requireScope } from './auth';
import { callerOf, mailboxOf } from './caller';
import { decodeDeltaToken, encodeDeltaToken, type DeltaState } from './delta-token';
import { findFolder } from './lookup';
import { parseIntOption, parsePrefer, parseSelect, readQuery, type Query } from './odata';
import { sendGraph } from './respond';
import { messageJson } from './serialize';

const DEFAULT_PAGE_SIZE = 10;
const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

function parseReceivedFilter(raw: string | undefined): { rf?: number; rfi?: 0 | 1 } {
  if (raw === undefined) return {};
  const m = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$/i.exec(raw);
  const ms = m ? Date.parse(m[2].replace(/^'|'$/g, '')) : NaN;
  if (!m || Number.isNaN(ms))
    throw graphErrors.badRequest('Delta supports $filter=receivedDateTime ge|gt {value} only.');
  return { rf: ms, rfi: m[1].toLowerCase() === 'ge' ? 1 : 0 };
}

function initialState(mailbox: Mailbox, folder: Folder, q: Query, pageSize: number): DeltaState {
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
    s: 0,
    e: mailbox.seq,
    c: 0,
    i: 1,
    p: pageSize,
    sel: parseSelect(q.$select),
    top,
    tt: top,
    ...parseReceivedFilter(q.$filter),
    ct: changeType,
  };
}

function resumeState(ctx: AppContext, mailbox: Mailbox, folder: Folder, q: Query): DeltaState {
  if (q.$skiptoken !== undefined && q.$deltatoken !== undefined)
    throw graphErrors.badRequest('Use either $skiptoken or $deltatoken.');
  const token = (q.$skiptoken ?? q.$deltatoken)!;
  const st = decodeDeltaToken(token, ctx.state.deltaSecret);
  if (
    st.mb !== mailbox.identity.id ||
    st.f !== folder.record.id ||
    st.ep !== mailbox.deltaEpoch ||
    st.e > mailbox.seq
  ) {
    throw graphErrors.syncStateNotFound(`generation=${st.e};[highest=${mailbox.seq}]`);
  }
  if (q.$deltatoken === undefined) return st;
  // A deltatoken starts a new round from where the previous one ended.
  return { ...st, e: mailbox.seq, c: st.s, i: 0, top: st.tt };
}

export function deltaHandler(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'read');
    const mailbox = mailboxOf(res);
    const folder = findFolder(mailbox, String(req.params.folderId));
    const q = readQuery(req, [
      '$select',
      '$top',
      '$filter',
      '$orderby',
      '$skiptoken',
      '$deltatoken',
      '$expand',
    ]);
    const prefer = parsePrefer(req);
    const resuming = q.$skiptoken !== undefined || q.$deltatoken !== undefined;
    const st = resuming
      ? resumeState(ctx, mailbox, folder, q)
      : initialState(mailbox, folder, q, prefer.maxPageSize ?? DEFAULT_PAGE_SIZE);
    const pageSize = prefer.maxPageSize ?? st.p;
    const limit = Math.min(pageSize, st.top ?? Number.MAX_SAFE_INTEGER);
    const scan = folder.log.scan(st.c, st.e, limit, st.i === 0);

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
        messageJson(msg, {
          select: st.sel,
          textBody: prefer.textBody,
          idType: prefer.idType,
          withType: true,
        }),
      );
    }

    const remaining = st.top === undefined ? undefined : st.top - scan.entries.length;
    const capped = remaining !== undefined && remaining <= 0;
    const base = `${requestOrigin(ctx, req)}/v1.0/${res.locals.userSegment ?? 'me'}/mailFolders('${folder.record.id}')/messages/delta`;
    const body: Record<string, unknown> = {
      '@odata.context': `${requestOrigin(ctx, req)}/v1.0/$metadata#Collection(message)`,
    };
    if (scan.done || capped) {
      const since = scan.done ? st.e : scan.cursor;
      const next: DeltaState = { ...st, s: since, e: since, c: since, i: 0, top: st.tt };
      body['@odata.deltaLink'] = `${base}?%24deltatoken=${encodeDeltaToken(next, ctx.state.deltaSecret)}`;
    } else {
      const next: DeltaState = { ...st, c: scan.cursor, top: remaining };
      body['@odata.nextLink'] = `${base}?%24skiptoken=${encodeDeltaToken(next, ctx.state.deltaSecret)}`;
    }
    body.value = value;
    sendGraph(res, 200, body, prefer.applied);
  };
}
