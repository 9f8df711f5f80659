// zod 4 (`zod/v4` of the pinned zod 3.25): the webhook checks every item of every notification, and zod 4
// does it several times faster.
import { z } from 'zod/v4';

// Graph's change and lifecycle notification shapes (graph-protocol.md §6.3, §6.4). Strict: an item with a
// field we do not know is not Graph talking to us, so it is dropped rather than guessed at.

const graphId = z.string().min(1).max(512);

const resourceData = z.strictObject({
  '@odata.type': z.string().max(128).optional(),
  '@odata.id': z.string().max(1_024).optional(),
  '@odata.etag': z.string().max(256).optional(),
  id: graphId,
});

const common = {
  subscriptionId: z.string().min(1).max(256),
  // Graph caps clientState at 128 characters; ours are always set.
  clientState: z.string().min(1).max(128),
  subscriptionExpirationDateTime: z.string().max(64),
  tenantId: z.string().max(64),
};

export const changeItemSchema = z.strictObject({
  ...common,
  changeType: z.enum(['created', 'updated', 'deleted']),
  resource: z.string().min(1).max(1_024),
  resourceData,
});

export const lifecycleItemSchema = z.strictObject({
  ...common,
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
  // Outlook lifecycle events may name the resource; nothing here depends on it.
  resource: z.string().max(1_024).optional(),
  resourceData: resourceData.optional(),
});

export const notificationItemSchema = z.union([changeItemSchema, lifecycleItemSchema]);
export type NotificationItem = z.infer<typeof notificationItemSchema>;

/** The envelope. Items are parsed one by one so one bad item does not hide the good ones beside it. */
export const envelopeSchema = z.strictObject({
  value: z.array(z.unknown()).min(1).max(1_000),
  // Only rich notifications (which we never ask for) carry these.
  validationTokens: z.array(z.string().max(4_096)).max(100).optional(),
});
