import { Inject, Injectable } from '@nestjs/common';
import { describeIssues, TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import { LOGGER, Outbox, Publisher, PUBLISHER, sameSecret, withDeadline } from '@core-email/platform';
import type { Logger } from 'pino';
import { envelopeSchema, isLifecycleItem, NotificationItem, parseNotificationItem } from './webhook.schemas';
import { SubscriptionOwners } from './subscription-owners';
import { DropLog } from './drop-log';
import { DropReason, webhookMetrics } from './webhook-metrics';

/** Graph gives up on an answer after 3 s; past this we answer 503 so it retries instead of timing out. */
export const WEBHOOK_PUBLISH_DEADLINE_MS = 2_500;
/** What a 503 tells Graph (and any other client) to wait before retrying. */
export const WEBHOOK_RETRY_AFTER_SECONDS = 5;

/** A mailbox whose notifications were refused is given one catch-up per this long, however often Graph retries. */
const CATCH_UP_EVERY_MS = 10_000;
/** Mailboxes remembered for that (a bounded map: an outage must not grow memory). */
const CATCH_UP_MEMORY = 10_000;

/** The request's body is not a notification envelope at all (the answer is a bare 400). */
export class MalformedNotificationError extends Error {}
/** Kafka did not acknowledge in time, or the send queue is full (the answer is 503: Graph retries). */
export class NotificationsNotQueuedError extends Error {}

/**
 * Authenticates Graph's notifications and queues them. Nothing here calls Graph or touches mail: each
 * genuine item becomes one update_email_subscription message, keyed by its owner, and the consumer does
 * the work. An item is genuine when its subscription is ours and its clientState equals the stored one.
 */
@Injectable()
export class GraphWebhookService {
  private readonly dropLog: DropLog;
  /** Per mailbox: when its last catch-up was written to the outbox. */
  private readonly caughtUpAt = new Map<string, number>();

  constructor(
    private readonly owners: SubscriptionOwners,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.dropLog = new DropLog(logger);
  }

  /** Resolves once Kafka acknowledged every genuine item; forged or malformed items are only counted. */
  async accept(body: Buffer): Promise<void> {
    const receivedAt = new Date().toISOString();
    const items: NotificationItem[] = [];
    for (const raw of this.parse(body)) {
      const parsed = parseNotificationItem(raw);
      if (parsed.success) items.push(parsed.data);
      else {
        this.drop('malformed', {
          fields: describeIssues(parsed.error.issues.slice(0, 5), '(item)'),
        });
      }
    }
    // One bounded lookup for the whole request, whatever it names (a forged body names up to 1,000 ids).
    const owners = await this.owners.findMany(items.map((i) => i.subscriptionId));
    const messages: UpdateEmailSubscriptionMessage[] = [];
    for (const item of items) {
      const owner = owners.get(item.subscriptionId);
      if (!owner) {
        this.drop('unknown_subscription', { subscriptionId: item.subscriptionId });
        continue;
      }
      if (!sameSecret(owner.clientState, item.clientState)) {
        this.drop('bad_client_state', { subscriptionId: item.subscriptionId });
        continue;
      }
      messages.push(toMessage(owner.userId, item, receivedAt));
    }
    try {
      await this.publish(messages);
    } catch (error) {
      // Not awaited: the 503 goes out at once, Graph waits 3 s at most.
      if (error instanceof NotificationsNotQueuedError) void this.catchUpLater(messages);
      throw error;
    }
  }

  /**
   * Kafka refused the notifications: Graph retries them on its own schedule (unpublished, backing off for up
   * to 4 hours), so each mailbox also gets a `missed` event through the outbox, which the relay sends as soon
   * as Kafka is back and the consumer turns into a delta pass. Best effort: PostgreSQL may be down too.
   */
  private async catchUpLater(messages: UpdateEmailSubscriptionMessage[]): Promise<void> {
    const now = Date.now();
    const due = new Map<string, UpdateEmailSubscriptionMessage>();
    for (const m of messages) {
      if (now - (this.caughtUpAt.get(m.userId) ?? 0) >= CATCH_UP_EVERY_MS) due.set(m.userId, m);
    }
    for (const [userId, m] of due) {
      if (this.caughtUpAt.size >= CATCH_UP_MEMORY) this.caughtUpAt.clear();
      this.caughtUpAt.set(userId, now);
      await this.outbox
        .publish(TOPICS.updateEmailSubscription, {
          userId,
          subscriptionId: m.subscriptionId,
          kind: 'lifecycle',
          lifecycleEvent: 'missed',
          receivedAt: new Date(now).toISOString(),
        })
        .catch((err: unknown) => this.logger.warn({ err, userId }, 'webhook catch-up not written'));
    }
  }

  private parse(body: Buffer): unknown[] {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      this.drop('malformed', { fields: ['body: not JSON'] });
      throw new MalformedNotificationError();
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) {
      this.drop('malformed', { fields: ['value: not a notification collection'] });
      throw new MalformedNotificationError();
    }
    return envelope.data.value;
  }

  private async publish(messages: UpdateEmailSubscriptionMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      // At the deadline the send queue removes the records it still holds: a notification answered 503 is
      // never sent later (Graph's retry is). Only records already on the wire may still arrive, a duplicate
      // of the retry, which the consumer applies idempotently. A full queue refuses at once (503 too).
      await withDeadline(
        this.publisher.publishMany(TOPICS.updateEmailSubscription, messages, {
          deadlineMs: WEBHOOK_PUBLISH_DEADLINE_MS,
        }),
        WEBHOOK_PUBLISH_DEADLINE_MS,
        () => new NotificationsNotQueuedError('publish deadline'),
      );
    } catch (error) {
      throw error instanceof NotificationsNotQueuedError
        ? error
        : new NotificationsNotQueuedError(String(error));
    }
    for (const m of messages) webhookMetrics.accepted.inc({ kind: m.kind });
  }

  /** Counted always; logged (never with clientState or the body) at a bounded rate. */
  private drop(reason: DropReason, detail: Record<string, unknown>): void {
    webhookMetrics.drop(reason);
    this.dropLog.note(reason, detail);
  }
}

function toMessage(
  userId: string,
  item: NotificationItem,
  receivedAt: string,
): UpdateEmailSubscriptionMessage {
  if (isLifecycleItem(item)) {
    return {
      userId,
      subscriptionId: item.subscriptionId,
      kind: 'lifecycle',
      lifecycleEvent: item.lifecycleEvent,
      receivedAt,
    };
  }
  return {
    userId,
    subscriptionId: item.subscriptionId,
    kind: 'change',
    changeType: item.changeType,
    resource: item.resource,
    messageId: item.resourceData.id,
    receivedAt,
  };
}
