import { Injectable } from '@nestjs/common';
import { TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import type { HandlerContext } from '@core-email/platform';
import { SubscriptionLifecycleService } from '../subscriptions/subscription-lifecycle.service';
import type { TopicHandler } from '../workers/topic-handler';
import { MailboxChangesService } from './mailbox-changes.service';

/** What the webhook queued: a change is applied through the deltas, a lifecycle event goes to its recovery. */
@Injectable()
export class UpdateEmailSubscriptionHandler implements TopicHandler<typeof TOPICS.updateEmailSubscription> {
  readonly topic = TOPICS.updateEmailSubscription;

  constructor(
    private readonly changes: MailboxChangesService,
    private readonly lifecycle: SubscriptionLifecycleService,
  ) {}

  handle(message: UpdateEmailSubscriptionMessage, ctx: HandlerContext): Promise<void> {
    return message.kind === 'lifecycle' ? this.lifecycle.handle(message) : this.changes.apply(message, ctx);
  }
}
