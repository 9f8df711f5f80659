// POST /me/sendMail: JSON (202) or base64 MIME with Content-Type text/plain. The copy lands in Sent Items
// and in the Inbox of every recipient that is an emulator mailbox.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { GraphError } from '../http/errors';
import { sendMessage, type NewMessage } from '../store/mail-ops';
import type { Mailbox } from '../store/mailbox';
import { escapeHtml, itemBodyToHtml } from '../store/text';
import { requireScope } from './auth';
import { parseBody } from './body';
import { callerOf, mailboxOf } from './caller';
import { messageFieldsShape, recipientsSchema, toAddresses } from './schemas';

const attachmentSchema = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.fileAttachment'),
    name: z.string().min(1).max(255),
    contentType: z.string().max(255).optional(),
    contentBytes: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
    isInline: z.boolean().optional(),
    contentId: z.string().max(255).optional(),
  })
  .strict();

const sendMailSchema = z
  .object({
    message: z
      .object({
        ...messageFieldsShape,
        replyTo: recipientsSchema.optional(),
        attachments: z.array(attachmentSchema).max(250).optional(),
        internetMessageHeaders: z
          .array(z.object({ name: z.string().regex(/^x-/i), value: z.string() }).strict())
          .max(50)
          .optional(),
      })
      .strict(),
    saveToSentItems: z.boolean().default(true),
  })
  .strict();

function fromJson(mailbox: Mailbox, req: Request): { message: NewMessage; save: boolean } {
  const input = parseBody(req, sendMailSchema, 'microsoft.graph.sendMail');
  const m = input.message;
  return {
    message: {
      subject: m.subject,
      bodyHtml: itemBodyToHtml(m.body),
      from: { name: mailbox.identity.displayName, address: mailbox.identity.address },
      to: toAddresses(m.toRecipients),
      cc: toAddresses(m.ccRecipients),
      bcc: toAddresses(m.bccRecipients),
      importance: m.importance,
      categories: m.categories,
      hasAttachments: (m.attachments?.length ?? 0) > 0,
    },
    save: input.saveToSentItems,
  };
}

function parseAddressList(value: string | undefined) {
  return (value ?? '')
    .split(',')
    .map((s) => /<([^>]+)>/.exec(s)?.[1] ?? s.trim())
    .filter((a) => /^[^\s@]+@[^\s@]+$/.test(a))
    .map((address) => ({ address, name: address }));
}

/** A minimal RFC 5322 read: headers up to the first blank line, then the body as text. */
function fromMime(mailbox: Mailbox, raw: string): { message: NewMessage; save: boolean } {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/\r\n]+={0,2}$/.test(text)) {
    throw new GraphError(
      400,
      'ErrorMimeContentInvalidBase64String',
      'Invalid base64 string for MIME content.',
    );
  }
  const mime = Buffer.from(text, 'base64').toString('utf8');
  const split = mime.search(/\r?\n\r?\n/);
  const head = split >= 0 ? mime.slice(0, split) : mime;
  const body = split >= 0 ? mime.slice(split).trim() : '';
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return {
    message: {
      subject: headers.get('subject') ?? '',
      bodyHtml: `<html><body><pre>${escapeHtml(body)}</pre></body></html>`,
      from: { name: mailbox.identity.displayName, address: mailbox.identity.address },
      to: parseAddressList(headers.get('to')),
      cc: parseAddressList(headers.get('cc')),
    },
    save: true,
  };
}

export function sendMail(ctx: AppContext) {
  return (req: Request, res: Response): void => {
    requireScope(callerOf(res), 'send');
    const mailbox = mailboxOf(res);
    const { message, save } =
      typeof req.body === 'string' ? fromMime(mailbox, req.body) : fromJson(mailbox, req);
    if (message.to.length + (message.cc?.length ?? 0) + (message.bcc?.length ?? 0) === 0) {
      throw new GraphError(
        400,
        'ErrorInvalidRecipients',
        'At least one recipient is not valid., Recipient is not valid.',
      );
    }
    sendMessage(ctx.state, mailbox, message, save);
    res.status(202).end();
  };
}
