// Mail folders: top-level list, one folder, child folders, and creating user folders.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { requestOrigin, type AppContext } from '../context';
import { GraphError } from '../http/errors';
import type { Folder, Mailbox } from '../store/mailbox';
import { requireScope } from './auth';
import { parseBody } from './body';
import { callerOf, mailboxOf } from './caller';
import { findFolder } from './lookup';
import { parseIntOption, parseSelect, readQuery } from './odata';
import { sendGraph } from './respond';
import { folderJson } from './serialize';

function listFolders(
  ctx: AppContext,
  req: Request,
  res: Response,
  mailbox: Mailbox,
  parentId: string,
  path: string,
): void {
  requireScope(callerOf(res), 'read');
  const q = readQuery(req, ['$select', '$top', '$skip', '$count', '$filter', '$orderby']);
  if (q.$filter !== undefined || q.$orderby !== undefined)
    throw new GraphError(
      400,
      'BadRequest',
      'The emulator does not support $filter or $orderby on mailFolders.',
    );
  const select = parseSelect(q.$select, 'folder');
  const top = parseIntOption('$top', q.$top, 1, 1000, 10);
  const skip = parseIntOption('$skip', q.$skip, 0, 1_000_000, 0);
  const includeHidden = q.includehiddenfolders === 'true';
  const all = mailbox.childFolders(parentId).filter((f: Folder) => includeHidden || !f.record.isHidden);
  const origin = requestOrigin(ctx, req);
  const body: Record<string, unknown> = {
    '@odata.context': `${origin}/v1.0/$metadata#users('${mailbox.identity.id}')/mailFolders`,
  };
  if (q.$count === 'true') body['@odata.count'] = all.length;
  body.value = all.slice(skip, skip + top).map((f) => folderJson(mailbox, f, select));
  if (skip + top < all.length) {
    const extra = [
      q.$select !== undefined ? `%24select=${encodeURIComponent(q.$select)}` : '',
      includeHidden ? 'includeHiddenFolders=true' : '',
    ].filter(Boolean);
    body['@odata.nextLink'] =
      `${origin}/v1.0/${path}?${[...extra, `%24top=${top}`, `%24skip=${skip + top}`].join('&')}`;
  }
  sendGraph(res, 200, body);
}

export function listTopFolders(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const mailbox = mailboxOf(res);
    listFolders(ctx, req, res, mailbox, mailbox.rootId, `${res.locals.userSegment ?? 'me'}/mailFolders`);
  };
}

export function listChildFolders(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const mailbox = mailboxOf(res);
    const parent = findFolder(mailbox, String(req.params.folderId));
    listFolders(
      ctx,
      req,
      res,
      mailbox,
      parent.record.id,
      `${res.locals.userSegment ?? 'me'}/mailFolders/${parent.record.id}/childFolders`,
    );
  };
}

export function getFolder(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'read');
    const mailbox = mailboxOf(res);
    const folder =
      req.params.folderId === 'msgfolderroot' ? undefined : findFolder(mailbox, String(req.params.folderId));
    const q = readQuery(req, ['$select', '$expand']);
    const select = parseSelect(q.$select, 'folder');
    const origin = requestOrigin(ctx, req);
    const json = folder
      ? folderJson(mailbox, folder, select)
      : {
          id: mailbox.rootId,
          displayName: 'Top of Information Store',
          parentFolderId: null,
          childFolderCount: mailbox.childFolders(mailbox.rootId).length,
          unreadItemCount: 0,
          totalItemCount: 0,
          isHidden: false,
        };
    sendGraph(res, 200, {
      '@odata.context': `${origin}/v1.0/$metadata#users('${mailbox.identity.id}')/mailFolders/$entity`,
      ...json,
    });
  };
}

export function folderExists(): GraphError {
  return new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
}

const createFolderSchema = z
  .object({ displayName: z.string().trim().min(1).max(255), isHidden: z.boolean().optional() })
  .strict();

export function createFolder(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'write');
    const mailbox = mailboxOf(res);
    const parentId = req.params.folderId
      ? findFolder(mailbox, String(req.params.folderId)).record.id
      : mailbox.rootId;
    const input = parseBody(req, createFolderSchema, 'microsoft.graph.mailFolder');
    if (mailbox.hasChildNamed(parentId, input.displayName)) throw folderExists();
    const folder = mailbox.createUserFolder(parentId, input.displayName, input.isHidden ?? false);
    ctx.state.dirty = true;
    sendGraph(res, 201, {
      '@odata.context': `${requestOrigin(ctx, req)}/v1.0/$metadata#users('${mailbox.identity.id}')/mailFolders/$entity`,
      ...folderJson(mailbox, folder),
    });
  };
}
