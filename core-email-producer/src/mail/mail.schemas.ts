import { z } from 'zod';
import { decodeCursor, MailCursor } from './mail-cursor';

const single = { invalid_type_error: 'must be a single string' };

/** A Graph id as we store it (immutable ids are about 150 characters): printable ASCII, never a NUL. */
const graphId = z
  .string(single)
  .min(1, 'must not be empty')
  .max(512, 'is too long')
  .regex(/^[\x21-\x7e]+$/, 'must be a Graph id (printable ASCII)');

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

export const listMessagesQuerySchema = z.object({
  folderId: graphId.optional(),
  limit: z
    .string(single)
    .regex(/^\d{1,3}$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    .default(String(DEFAULT_PAGE_SIZE)),
  cursor: z
    .string(single)
    .transform((text, ctx): MailCursor => {
      const cursor = decodeCursor(text);
      if (cursor) return cursor;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a cursor this API returned' });
      return z.NEVER;
    })
    .optional(),
});

export type ListMessagesQueryInput = z.infer<typeof listMessagesQuerySchema>;

export const messageParamsSchema = z.object({ id: graphId });

export const resyncBodySchema = z
  .object({ mode: z.enum(['incremental', 'full']).default('incremental') })
  .strict();

export type ResyncInput = z.infer<typeof resyncBodySchema>;
