import { z } from 'zod';
import { TOPICS } from './topics';

// Message payloads never carry Microsoft tokens: a consumer fetches them from the token store by user id.

const userId = z.string().uuid();
const isoTime = z.string().datetime({ offset: true });
const graphId = z.string().min(1).max(512);

export const syncEmailMessage = z
  .object({
    userId,
    runId: z.string().uuid(),
    /** incremental: continue from each folder's saved delta link; full: start every folder's delta anew. */
    mode: z.enum(['incremental', 'full']),
    reason: z.enum(['connected', 'resync', 'missed', 'subscription_removed', 'polling', 'audit']),
    requestedAt: isoTime,
  })
  .strict();

const folderProgress = z
  .object({
    folderId: graphId,
    name: z.string().max(256),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
  })
  .strict();

export const emailAckMessage = z
  .object({
    userId,
    runId: z.string().uuid(),
    status: z.enum(['running', 'finished', 'failed', 'stuck']),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    folders: z.array(folderProgress).max(10_000),
    error: z.string().max(2_000).optional(),
    at: isoTime,
  })
  .strict();

export const notifyUserMutateEmailMessage = z
  .object({
    userId,
    created: z.array(graphId).max(10_000),
    updated: z.array(graphId).max(10_000),
    deleted: z.array(graphId).max(10_000),
    at: isoTime,
  })
  .strict();

export const createEmailSubscriptionMessage = z
  .object({
    userId,
    // id_format: the live subscription predates immutable ids in notifications and is replaced once.
    reason: z.enum(['initial_sync', 'subscription_removed', 'renewal_failed', 'reconnected', 'id_format']),
    requestedAt: isoTime,
  })
  .strict();

export const updateEmailSubscriptionMessage = z
  .object({
    userId,
    subscriptionId: z.string().min(1).max(256),
    kind: z.enum(['change', 'lifecycle']),
    changeType: z.enum(['created', 'updated', 'deleted']).optional(),
    lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
    resource: z.string().max(1_024).optional(),
    messageId: graphId.optional(),
    receivedAt: isoTime,
  })
  .strict()
  .refine((m) => (m.kind === 'change' ? m.changeType !== undefined : m.lifecycleEvent !== undefined), {
    message: 'a change needs changeType; a lifecycle event needs lifecycleEvent',
  });

export const createEmailSubscriptionCronMessage = z
  .object({
    tick: isoTime,
    renewWithinMinutes: z.number().int().positive().max(10_080),
  })
  .strict();

/** Compare a mailbox's copy with Graph folder by folder, repair what differs and record the result. */
export const auditMailboxMessage = z
  .object({
    userId,
    /** scheduled: the consumer's periodic audit; requested: the user asked (POST /api/mail/audit). */
    reason: z.enum(['scheduled', 'requested']),
    requestedAt: isoTime,
  })
  .strict();

export const MESSAGE_SCHEMAS = {
  [TOPICS.syncEmail]: syncEmailMessage,
  [TOPICS.emailAck]: emailAckMessage,
  [TOPICS.notifyUserMutateEmail]: notifyUserMutateEmailMessage,
  [TOPICS.createEmailSubscription]: createEmailSubscriptionMessage,
  [TOPICS.updateEmailSubscription]: updateEmailSubscriptionMessage,
  [TOPICS.createEmailSubscriptionCron]: createEmailSubscriptionCronMessage,
  [TOPICS.auditMailbox]: auditMailboxMessage,
} as const;

export type SyncEmailMessage = z.infer<typeof syncEmailMessage>;
export type EmailAckMessage = z.infer<typeof emailAckMessage>;
export type NotifyUserMutateEmailMessage = z.infer<typeof notifyUserMutateEmailMessage>;
export type CreateEmailSubscriptionMessage = z.infer<typeof createEmailSubscriptionMessage>;
export type UpdateEmailSubscriptionMessage = z.infer<typeof updateEmailSubscriptionMessage>;
export type CreateEmailSubscriptionCronMessage = z.infer<typeof createEmailSubscriptionCronMessage>;
export type AuditMailboxMessage = z.infer<typeof auditMailboxMessage>;

export type MessageOf<T extends keyof typeof MESSAGE_SCHEMAS> = z.infer<(typeof MESSAGE_SCHEMAS)[T]>;

/** The Kafka key of a message: the user id, so one mailbox's work stays ordered on one partition. */
export function keyOf<T extends keyof typeof MESSAGE_SCHEMAS>(_topic: T, message: MessageOf<T>): string {
  // Renewal ticks belong to no user; one fixed key keeps them on one partition, in order.
  return 'userId' in message ? message.userId : 'cron';
}

/** What a dead-letter topic carries: the original bytes, where they came from and why they failed. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  error: string;
  attempts: number;
  /** ISO 8601 */
  failedAt: string;
}
