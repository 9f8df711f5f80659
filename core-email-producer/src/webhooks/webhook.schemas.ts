// zod 4 (`zod/v4` of the pinned zod 3.25): the webhook checks every item of every notification, and zod 4
// does it several times faster.
import { z } from 'zod/v4';

// Graph's change and lifecycle notification items (graph-protocol.md §6.3, §6.4, corrected by the fidelity
// review F1/F2). Loose: Exchange adds fields the docs do not show (`organizationId` instead of `tenantId`,
// `sequence`, `encryptedContent`, `resourceChangeType`, a notification `id`), so unknown fields are ignored
// and nothing depends on the tenant field. Authenticity rests on the subscription id and its clientState,
// which the service checks against the stored ones.

/** Ids go into SQL and Kafka keys: printable ASCII only, so a NUL or a control character never gets there. */
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII');

const resourceData = z.looseObject({
  '@odata.type': z.string().max(128).optional(),
  id: printable(512),
});

const common = {
  subscriptionId: printable(256),
  // Graph caps clientState at 128 characters; ours are always set.
  clientState: z.string().min(1).max(128),
};

export const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;

export const changeItemSchema = z.looseObject({
  ...common,
  changeType: z.enum(['created', 'updated', 'deleted']),
  resource: z.string().min(1).max(1_024),
  resourceData,
});

export const lifecycleItemSchema = z.looseObject({
  ...common,
  lifecycleEvent: z.enum(LIFECYCLE_EVENTS),
});

export type ChangeItem = z.infer<typeof changeItemSchema>;
export type LifecycleItem = z.infer<typeof lifecycleItemSchema>;
export type NotificationItem = ChangeItem | LifecycleItem;

export function isLifecycleItem(item: NotificationItem): item is LifecycleItem {
  return (LIFECYCLE_EVENTS as readonly unknown[]).includes(item.lifecycleEvent);
}

/**
 * A change item may carry `lifecycleEvent: null` (the changeNotification resource has the property), so the
 * kind is decided by a non-empty lifecycleEvent, not by its presence.
 */
export function parseNotificationItem(raw: unknown): z.ZodSafeParseResult<NotificationItem> {
  const isLifecycle =
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as { lifecycleEvent?: unknown }).lifecycleEvent === 'string';
  return isLifecycle ? lifecycleItemSchema.safeParse(raw) : changeItemSchema.safeParse(raw);
}

/** The envelope. Items are parsed one by one so one bad item does not hide the good ones beside it. */
export const envelopeSchema = z.looseObject({
  value: z.array(z.unknown()).min(1).max(1_000),
});
