// Changing messages: PATCH, move (201; the immutable id stays, the default id changes), copy, DELETE (to
// Deleted Items), permanentDelete, drafts and sending a draft. Answers use the request's id format.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { requestOrigin, type AppContext } from '../context';
import { GraphError } from '../http/errors';
import { buildMessage, sendMessage } from '../store/mail-ops';
import type { Mailbox, MessagePatch } from '../store/mailbox';
import { itemBodyToHtml, previewOf } from '../store/text';
import type { MessageRecord } from '../store/types';
import { requireScope } from './auth';
import { parseBody } from './body';
import { callerOf, mailboxOf } from './caller';
import { findFolder, findMessage } from './lookup';
import { parsePrefer } from './odata';
import { sendGraph } from './respond';
import { messageJson } from './serialize';
import { itemBodySchema, messageFieldsShape, recipientsSchema, toAddresses } from './schemas';

const patchSchema = z
  .object({
    isRead: z.boolean(),
    categories: z.array(z.string().max(255)).max(25),
    flag: z.object({ flagStatus: z.enum(['notFlagged', 'complete', 'flagged']) }).passthrough(),
    importance: z.enum(['low', 'normal', 'high']),
    inferenceClassification: z.enum(['focused', 'other']),
    subject: z.string().max(4000),
    body: itemBodySchema,
    toRecipients: recipientsSchema,
    ccRecipients: recipientsSchema,
    bccRecipients: recipientsSchema,
  })
  .partial()
  .strict();

const moveSchema = z.object({ destinationId: z.string().min(1).max(300) }).strict();

/** Answers with the message as Graph does after a write, in the id format the request asked for. */
function sendEntity(
  ctx: AppContext,
  req: Request,
  res: Response,
  status: number,
  mailbox: Mailbox,
  msg: MessageRecord,
): void {
  const prefer = parsePrefer(req);
  const body = {
    '@odata.context': `${requestOrigin(ctx, req)}/v1.0/$metadata#users('${mailbox.identity.id}')/messages/$entity`,
    ...messageJson(msg, { idType: prefer.idType }),
  };
  sendGraph(
    res,
    status,
    body,
    prefer.applied.filter((p) => p.startsWith('IdType')),
  );
}

function target(req: Request, res: Response): { mailbox: Mailbox; msg: MessageRecord } {
  requireScope(callerOf(res), 'write');
  const mailbox = mailboxOf(res);
  const folder = req.params.folderId ? findFolder(mailbox, String(req.params.folderId)) : undefined;
  return { mailbox, msg: findMessage(mailbox, String(req.params.messageId), folder) };
}

export function patchMessage(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const { mailbox, msg } = target(req, res);
    const input = parseBody(req, patchSchema);
    const draftOnly = (['subject', 'body', 'toRecipients', 'ccRecipients', 'bccRecipients'] as const).filter(
      (k) => input[k] !== undefined,
    );
    if (draftOnly.length > 0 && !msg.isDraft) {
      throw new GraphError(
        400,
        'ErrorInvalidPropertyUpdateSentMessage',
        `Update operation failed: the property '${draftOnly[0]}' can only be updated on draft messages.`,
      );
    }
    const patch: MessagePatch = {};
    if (input.isRead !== undefined) patch.isRead = input.isRead;
    if (input.categories !== undefined) patch.categories = input.categories;
    if (input.flag !== undefined) patch.flagStatus = input.flag.flagStatus;
    if (input.importance !== undefined) patch.importance = input.importance;
    if (input.inferenceClassification !== undefined)
      patch.inferenceClassification = input.inferenceClassification;
    if (input.subject !== undefined) patch.subject = input.subject;
    if (input.body !== undefined) {
      patch.bodyHtml = itemBodyToHtml(input.body);
      patch.bodyPreview = previewOf(patch.bodyHtml);
    }
    if (input.toRecipients) msg.to = toAddresses(input.toRecipients);
    if (input.ccRecipients) msg.cc = toAddresses(input.ccRecipients);
    if (input.bccRecipients) msg.bcc = toAddresses(input.bccRecipients);
    mailbox.update(msg, patch);
    ctx.state.dirty = true;
    sendEntity(ctx, req, res, 200, mailbox, msg);
  };
}

export function moveMessage(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const { mailbox, msg } = target(req, res);
    const { destinationId } = parseBody(req, moveSchema);
    const dest = findFolder(mailbox, destinationId);
    mailbox.move(msg, dest);
    ctx.state.dirty = true;
    sendEntity(ctx, req, res, 201, mailbox, msg);
  };
}

export function copyMessage(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const { mailbox, msg } = target(req, res);
    const { destinationId } = parseBody(req, moveSchema);
    const dest = findFolder(mailbox, destinationId);
    const copy = buildMessage(dest, { ...msg, cc: msg.cc, bcc: msg.bcc, receivedMs: msg.receivedMs });
    Object.assign(copy, { flagStatus: msg.flagStatus, inferenceClassification: msg.inferenceClassification });
    mailbox.addMessage(copy);
    ctx.state.dirty = true;
    sendEntity(ctx, req, res, 201, mailbox, copy);
  };
}

export function deleteMessage(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const { mailbox, msg } = target(req, res);
    const trash = mailbox.wellKnownFolder('deleteditems');
    // Deleting from Deleted Items removes the item from view (it goes to Recoverable Items).
    if (msg.folderId === trash.record.id) mailbox.hardDelete(msg);
    else mailbox.move(msg, trash);
    ctx.state.dirty = true;
    res.status(204).end();
  };
}

export function permanentDelete(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    const { mailbox, msg } = target(req, res);
    mailbox.hardDelete(msg);
    ctx.state.dirty = true;
    res.status(204).end();
  };
}

const draftSchema = z.object(messageFieldsShape).strict();

export function createDraft(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'write');
    const mailbox = mailboxOf(res);
    const input = parseBody(req, draftSchema);
    const drafts = mailbox.wellKnownFolder('drafts');
    const bodyHtml = itemBodyToHtml(input.body);
    const msg = buildMessage(drafts, {
      subject: input.subject,
      bodyHtml,
      from: { name: mailbox.identity.displayName, address: mailbox.identity.address },
      to: toAddresses(input.toRecipients),
      cc: toAddresses(input.ccRecipients),
      bcc: toAddresses(input.bccRecipients),
      importance: input.importance,
      categories: input.categories,
      isRead: true,
      isDraft: true,
    });
    mailbox.addMessage(msg);
    ctx.state.dirty = true;
    sendEntity(ctx, req, res, 201, mailbox, msg);
  };
}

export function sendDraft(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'send');
    const mailbox = mailboxOf(res);
    const msg = findMessage(mailbox, String(req.params.messageId));
    if (!msg.isDraft) throw new GraphError(400, 'ErrorInvalidOperation', 'Only draft messages can be sent.');
    if (msg.to.length + msg.cc.length + msg.bcc.length === 0) {
      throw new GraphError(
        400,
        'ErrorInvalidRecipients',
        'At least one recipient is not valid., Recipient is not valid.',
      );
    }
    mailbox.hardDelete(msg);
    sendMessage(ctx.state, mailbox, { ...msg, receivedMs: undefined }, true);
    res.status(202).end();
  };
}
