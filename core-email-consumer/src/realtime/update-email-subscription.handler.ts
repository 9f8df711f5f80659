import { Injectable } from '@nestjs/common';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import type { HandlerContext } from '@core-email/platform';
import { SubscriptionLifecycleService } from '../subscriptions/subscription-lifecycle.service';
import type { TopicHandler } from '../workers/topic-handler';
import { MailboxChangesService } from './mailbox-changes.service';

/** A mailbox's queued notifications at most per call: each call is at most one pass per stretch of changes. */
const MAX_BATCH = 500;

/**
 * What the webhook queued: changes are applied together (see MailboxChangesService), a lifecycle event goes
 * to its recovery. `missed` (Exchange sends it instead of the notifications of a burst,
 * e.g. many messages moved at once) is a change that names no message: the pass runs every folder's delta,
 * and the dashboard is told exactly what changed.
 */
@Injectable()
export class UpdateEmailSubscriptionHandler implements TopicHandler<typeof TOPICS.updateEmailSubscription> {
  readonly topic = TOPICS.updateEmailSubscription;
  readonly maxBatch = MAX_BATCH;

  constructor(
    private readonly changes: MailboxChangesService,
    private readonly lifecycle: SubscriptionLifecycleService,
  ) {}

  handle(message: UpdateEmailSubscriptionMessage, ctx: HandlerContext): Promise<void> {
    return this.handleMany([message], ctx);
  }

  /**
   * Lifecycle events first: they concern the subscription, not the order of mail changes, and a
   * reauthorizationRequired left waiting behind a pass lets Graph pause delivery.
   */
  async handleMany(messages: UpdateEmailSubscriptionMessage[], ctx: HandlerContext): Promise<void> {
    const changes: UpdateEmailSubscriptionMessage[] = [];
    for (const message of messages) {
      if (message.kind === 'change') changes.push(message);
      else if (message.lifecycleEvent === 'missed') changes.push(missedAsChange(message));
      else await this.lifecycle.handle(message);
    }
    if (changes.length > 0) await this.changes.applyMany(changes, ctx);
  }
}

function missedAsChange(message: UpdateEmailSubscriptionMessage): UpdateEmailSubscriptionMessage {
  return {
    userId: message.userId,
    subscriptionId: message.subscriptionId,
    kind: 'change',
    changeType: 'updated',
    receivedAt: message.receivedAt,
  };
}
