// What the mailbox control routes accept: every body is checked here before anything changes, and a bad one
// answers 400 naming the field.
import { z } from 'zod';
import { GraphError } from '../http/errors';
import { MEETING_MESSAGE_TYPES, type MeetingInfo } from '../store/meetings';

export const mailboxSchema = z
  .object({
    address: z
      .string()
      .trim()
      .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
      .max(320),
    password: z.string().min(1).max(200),
    displayName: z.string().trim().min(1).max(200),
  })
  .strict();

export const seedSchema = z.object({ messages: z.number().int().min(1).max(2_000_000) }).strict();

const addressSchema = z
  .object({ name: z.string().max(200).default(''), address: z.string().regex(/^[^\s@]+@[^\s@]+$/) })
  .strict();

const deliverFields = z.object({
  folder: z.string().max(300).default('inbox'),
  subject: z.string().max(4000).default('(no subject)'),
  bodyHtml: z.string().max(1_000_000).default('<html><body><p>Hello from the emulator.</p></body></html>'),
  from: addressSchema.default({ name: 'Dana Swope', address: 'dana.swope@contoso.test' }),
  importance: z.enum(['low', 'normal', 'high']).default('normal'),
  isRead: z.boolean().default(false),
  hasAttachments: z.boolean().default(false),
  categories: z.array(z.string().max(255)).max(25).default([]),
  /** `eventMessage`: a meeting request, cancellation or response, as Exchange files them among mail. */
  type: z.enum(['message', 'eventMessage']).default('message'),
  meetingMessageType: z.enum(MEETING_MESSAGE_TYPES).optional(),
  startDateTime: z.string().datetime({ offset: true }).optional(),
  endDateTime: z.string().datetime({ offset: true }).optional(),
  location: z.string().max(255).optional(),
  isAllDay: z.boolean().optional(),
});

const MEETING_FIELDS = [
  'meetingMessageType',
  'startDateTime',
  'endDateTime',
  'location',
  'isAllDay',
] as const;

function checkMeeting(m: z.infer<typeof deliverFields>, issues: z.RefinementCtx): void {
  const stray = MEETING_FIELDS.find((k) => m[k] !== undefined);
  if (m.type === 'message' && stray)
    issues.addIssue({ code: 'custom', path: [stray], message: 'only for "type": "eventMessage"' });
  if (m.startDateTime && m.endDateTime && Date.parse(m.endDateTime) < Date.parse(m.startDateTime))
    issues.addIssue({ code: 'custom', path: ['endDateTime'], message: 'must not be before startDateTime' });
}

export const deliverSchema = deliverFields.strict().superRefine(checkMeeting);
export type DeliverInput = z.infer<typeof deliverSchema>;

const HOUR_MS = 3_600_000;

/** Defaults: tomorrow at the next full hour, for half an hour. */
export function meetingOf(input: DeliverInput): MeetingInfo | undefined {
  if (input.type !== 'eventMessage') return undefined;
  const startMs = input.startDateTime
    ? Date.parse(input.startDateTime)
    : Math.ceil((Date.now() + 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  return {
    messageType: input.meetingMessageType ?? 'meetingRequest',
    startMs,
    endMs: input.endDateTime ? Date.parse(input.endDateTime) : startMs + HOUR_MS / 2,
    location: input.location ?? '',
    isAllDay: input.isAllDay ?? false,
  };
}

/** Many deliveries in one request, to any mailboxes: a load generator's rate then costs few requests. */
export const deliveriesSchema = z
  .object({
    messages: z
      .array(
        deliverFields
          .extend({ mailbox: z.string().min(1).max(320) })
          .strict()
          .superRefine(checkMeeting),
      )
      .min(1)
      .max(1_000),
  })
  .strict();

export const updateSchema = z
  .object({
    isRead: z.boolean(),
    subject: z.string().max(4000),
    bodyHtml: z.string().max(1_000_000),
    categories: z.array(z.string().max(255)).max(25),
    flagStatus: z.enum(['notFlagged', 'complete', 'flagged']),
    importance: z.enum(['low', 'normal', 'high']),
  })
  .partial()
  .strict();

export const moveSchema = z.object({ destination: z.string().min(1).max(300) }).strict();
/** A burst of moves in one request, as a user selecting many messages in Outlook and dragging them. */
export const bulkMoveSchema = z
  .object({
    ids: z.array(z.string().min(1).max(400)).min(1).max(10_000),
    destination: z.string().min(1).max(300),
  })
  .strict();
export const folderSchema = z
  .object({
    displayName: z.string().trim().min(1).max(255),
    /** id or well-known name; the top of the mailbox when absent */
    parent: z.string().min(1).max(300).optional(),
    isHidden: z.boolean().default(false),
  })
  .strict();
export const lifecycleSchema = z
  .object({
    event: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
    subscriptionId: z.string().max(100).optional(),
  })
  .strict();
export const revokeSchema = z.object({ clientId: z.string().max(100).optional() }).strict();

export function parse<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new GraphError(400, 'BadRequest', `${issue.path.join('.') || 'body'}: ${issue.message}`);
}
