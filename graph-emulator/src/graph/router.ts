// Everything under /v1.0: path normalisation (`('id')` keys, microsoft.graph.delta), authentication,
// throttling, body parsing, the mail routes for /me and /users/{id}, and subscriptions.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { GraphError } from '../http/errors';
import type { SubscriptionService } from '../subscriptions/service';
import { subscriptionRoutes } from '../subscriptions/routes';
import type { Faults } from '../throttle/faults';
import type { Limiter } from '../throttle/limiter';
import { throttleMiddleware } from '../throttle/middleware';
import { graphAuth } from './auth';
import { callerOf, mailboxOf } from './caller';
import { deltaHandler } from './delta';
import { createFolder, getFolder, listChildFolders, listTopFolders } from './folders';
import {
  copyMessage,
  createDraft,
  deleteMessage,
  moveMessage,
  patchMessage,
  permanentDelete,
  sendDraft,
} from './message-writes';
import { getMessage, listFolder, listMailbox } from './messages';
import { sendGraph } from './respond';
import { sendMail } from './send-mail';
import { userJson } from './serialize';

/** `/mailFolders('x')/` → `/mailFolders/x/`, `/microsoft.graph.delta()` → `/delta`. */
export function normalisePath(url: string): string {
  const q = url.indexOf('?');
  let path = q >= 0 ? url.slice(0, q) : url;
  const query = q >= 0 ? url.slice(q) : '';
  path = path.replace(/%27/gi, "'").replace(/%28/gi, '(').replace(/%29/gi, ')');
  path = path.replace(/\('([^'/]*)'\)/g, '/$1');
  path = path.replace(/\/(microsoft\.graph\.)?delta(\(\))?(?=\/|$)/i, '/delta');
  return path + query;
}

function mailRoutes(ctx: AppContext): Router {
  const r = Router({ mergeParams: true });
  r.get('/', (req, res) => {
    callerOf(res);
    sendGraph(res, 200, {
      '@odata.context': `${ctx.publicUrl}/v1.0/$metadata#users/$entity`,
      ...userJson(mailboxOf(res)),
    });
  });
  r.get('/mailFolders', listTopFolders(ctx));
  r.post('/mailFolders', createFolder(ctx));
  r.get('/mailFolders/:folderId', getFolder(ctx));
  r.get('/mailFolders/:folderId/childFolders', listChildFolders(ctx));
  r.post('/mailFolders/:folderId/childFolders', createFolder(ctx));
  r.get('/mailFolders/:folderId/messages', listFolder(ctx));
  r.get('/mailFolders/:folderId/messages/delta', deltaHandler(ctx));
  r.get('/mailFolders/:folderId/messages/:messageId', getMessage(ctx));
  r.patch('/mailFolders/:folderId/messages/:messageId', patchMessage(ctx));
  r.delete('/mailFolders/:folderId/messages/:messageId', deleteMessage(ctx));
  r.get('/messages', listMailbox(ctx));
  r.post('/messages', createDraft(ctx));
  r.get('/messages/:messageId', getMessage(ctx));
  r.patch('/messages/:messageId', patchMessage(ctx));
  r.delete('/messages/:messageId', deleteMessage(ctx));
  r.post('/messages/:messageId/move', moveMessage(ctx));
  r.post('/messages/:messageId/copy', copyMessage(ctx));
  r.post('/messages/:messageId/permanentDelete', permanentDelete(ctx));
  r.post('/messages/:messageId/send', sendDraft(ctx));
  r.post('/sendMail', sendMail(ctx));
  return r;
}

/** /users/{id|upn}: delegated tokens reach only the signed-in user's own mailbox. */
function resolveUser(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const caller = callerOf(res);
    const key = String(req.params.userId);
    const mailbox = ctx.state.findMailbox(key);
    if (!mailbox) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${key}' is invalid.`);
    if (mailbox !== caller.mailbox)
      throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    res.locals.mailbox = mailbox;
    res.locals.userSegment = `users/${mailbox.identity.id}`;
    next();
  };
}

export function graphRouter(
  ctx: AppContext,
  limiter: Limiter,
  faults: Faults,
  subscriptions: SubscriptionService,
): Router {
  const router = Router();
  const limit = ctx.config.maxBodyBytes;
  router.use((req, _res, next) => {
    req.url = normalisePath(req.url);
    next();
  });
  router.use(graphAuth(ctx));
  router.use(throttleMiddleware(ctx, limiter, faults));
  router.use(express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] }));
  // sendMail also accepts base64 MIME as text/plain.
  router.use(express.text({ limit, type: 'text/plain' }));
  const mail = mailRoutes(ctx);
  router.use('/me', mail);
  router.use('/users/:userId', resolveUser(ctx), mail);
  router.use('/subscriptions', subscriptionRoutes(ctx, subscriptions));
  router.use((req: Request) => {
    const segment = req.path.split('/').filter(Boolean).pop() ?? '';
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  });
  return router;
}
