// zod shapes shared by the write endpoints: Graph's recipient and itemBody types.
import { z } from 'zod';
import type { EmailAddress } from '../store/types';

export const recipientSchema = z
  .object({
    emailAddress: z
      .object({
        address: z
          .string()
          .trim()
          .min(3)
          .max(320)
          .regex(/^[^\s@]+@[^\s@]+$/, 'not an email address'),
        name: z.string().max(255).optional(),
      })
      .strict(),
  })
  .strict();

export const recipientsSchema = z.array(recipientSchema).max(500);

export const itemBodySchema = z
  .object({
    contentType: z.string().regex(/^(text|html)$/i, 'must be text or html'),
    content: z.string().max(4 * 1024 * 1024),
  })
  .strict();

export function toAddresses(list: z.infer<typeof recipientsSchema>): EmailAddress[] {
  return list.map((r) => ({
    address: r.emailAddress.address,
    name: r.emailAddress.name ?? r.emailAddress.address,
  }));
}

/** The writable fields a draft and a sent message share (Graph's message resource, as POST /messages and sendMail take it). */
export const messageFieldsShape = {
  subject: z.string().max(4000).default(''),
  body: itemBodySchema.optional(),
  toRecipients: recipientsSchema.default([]),
  ccRecipients: recipientsSchema.default([]),
  bccRecipients: recipientsSchema.default([]),
  importance: z.enum(['low', 'normal', 'high']).optional(),
  categories: z.array(z.string().max(255)).max(25).optional(),
};
