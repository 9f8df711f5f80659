import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { GraphSubscriptionsRepository } from './graph-subscriptions.repository';

/**
 * Notifications name messages in the id format the subscription was created with, and the copy stores
 * immutable ids (they survive moves): without this header, Graph sends default ids that match no row.
 */
const IMMUTABLE_IDS = 'IdType="ImmutableId"';

/** What we ask Graph for: every folder of the mailbox, every kind of change. */
export const MAILBOX_RESOURCE = 'me/messages';
export const MAILBOX_CHANGE_TYPES = 'created,updated,deleted';

export interface CreateSubscriptionRequest {
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  expirationDateTime: string;
  clientState: string;
}

// Graph's answers are input like any other: the fields we store or compare are checked first.
const graphSubscriptionSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[\x21-\x7e]+$/),
  expirationDateTime: z.string().datetime({ offset: true }),
  notificationUrl: z.string().max(4_000).nullish(),
  resource: z.string().max(4_000).nullish(),
});

export type GraphSubscription = z.infer<typeof graphSubscriptionSchema>;

export class MalformedGraphSubscriptionError extends Error {
  constructor() {
    super('malformed Graph response: a subscription (id, expirationDateTime, notificationUrl or resource)');
    this.name = 'MalformedGraphSubscriptionError';
  }
}

/** A subscription as Graph returned it, checked. */
export function parseGraphSubscription(raw: unknown): GraphSubscription {
  const parsed = graphSubscriptionSchema.safeParse(raw);
  if (!parsed.success) throw new MalformedGraphSubscriptionError();
  return parsed.data;
}

/** The HTTP status of a Graph SDK error, if it has one (GraphError carries `statusCode`). */
export function graphStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

export function describeGraphError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string };
  return [e?.statusCode, e?.code, e?.message ?? String(error)].filter(Boolean).join(' ');
}

/**
 * The longest expiry Graph says it accepts, from its refusal ("Subscription expiration can only be 10070
 * minutes in the future."); undefined for any other error.
 */
export function expiryCeilingMinutes(error: unknown): number | undefined {
  if (graphStatus(error) !== 400) return undefined;
  const message = (error as { message?: unknown })?.message;
  const match = typeof message === 'string' ? /can only be (\d{2,6}) minutes/i.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}

/** The subscription calls, over a mailbox's Graph client (so they share its limiter and token refresh). */
export const graphSubscriptionApi = {
  async create(client: Client, req: CreateSubscriptionRequest): Promise<GraphSubscription> {
    return parseGraphSubscription(
      await client
        .api('/subscriptions')
        .header('Prefer', IMMUTABLE_IDS)
        .post({
          changeType: MAILBOX_CHANGE_TYPES,
          resource: MAILBOX_RESOURCE,
          ...req,
        }),
    );
  },

  /** `undefined` when Graph no longer has it. */
  async get(client: Client, id: string): Promise<GraphSubscription | undefined> {
    try {
      return parseGraphSubscription(await client.api(`/subscriptions/${encodeURIComponent(id)}`).get());
    } catch (error) {
      if (graphStatus(error) === 404) return undefined;
      throw error;
    }
  },

  /** Entries that fail the checks are left out: nothing could be done with them (not even a delete). */
  async list(client: Client): Promise<GraphSubscription[]> {
    const page = (await client.api('/subscriptions').get()) as { value?: unknown };
    const items = Array.isArray(page?.value) ? page.value : [];
    return items.flatMap((item) => {
      const parsed = graphSubscriptionSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  },

  async renew(client: Client, id: string, expirationDateTime: string): Promise<GraphSubscription> {
    return parseGraphSubscription(
      await client.api(`/subscriptions/${encodeURIComponent(id)}`).patch({ expirationDateTime }),
    );
  },

  async reauthorize(client: Client, id: string): Promise<void> {
    await client.api(`/subscriptions/${encodeURIComponent(id)}/reauthorize`).post({});
  },

  /** Deleting one Graph no longer has is success: the goal is "it is gone". */
  async remove(client: Client, id: string): Promise<void> {
    try {
      await client.api(`/subscriptions/${encodeURIComponent(id)}`).delete();
    } catch (error) {
      if (graphStatus(error) !== 404) throw error;
    }
  },
};

/**
 * Disconnect and account deletion: delete the mailbox's live subscription at Graph while its tokens still
 * exist. Best effort: a failure is logged and never blocks the user (the subscription then expires on its own
 * within days, and notifications for it find no live row and are dropped).
 */
export async function deleteMailboxSubscription(
  client: Client,
  repo: GraphSubscriptionsRepository,
  userId: string,
  logger: Logger,
): Promise<void> {
  try {
    const live = await repo.findActiveByUser(userId);
    if (!live) return;
    await graphSubscriptionApi.remove(client, live.graphSubscriptionId);
    await repo.markRemoved(live.graphSubscriptionId);
    logger.info({ userId, subscriptionId: live.graphSubscriptionId }, 'deleted the Graph subscription');
  } catch (error) {
    logger.warn({ userId, err: describeGraphError(error) }, 'could not delete the Graph subscription');
  }
}
