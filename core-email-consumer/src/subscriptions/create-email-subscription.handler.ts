import { Inject, Injectable } from '@nestjs/common';
import { CreateEmailSubscriptionMessage, TOPICS } from '@core-email/contracts';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import type { TopicHandler } from '../workers/topic-handler';
import { SubscriptionService } from './subscription.service';

// After these, the subscription we hold is not to be trusted: replace it rather than keep it.
const REPLACE: ReadonlySet<CreateEmailSubscriptionMessage['reason']> = new Set([
  'subscription_removed',
  'reconnected',
  'id_format',
]);

/** `create_email_subscription`: one live subscription for the mailbox (idempotent; redeliveries keep it). */
@Injectable()
export class CreateEmailSubscriptionHandler implements TopicHandler<typeof TOPICS.createEmailSubscription> {
  readonly topic = TOPICS.createEmailSubscription;

  constructor(
    private readonly subscriptions: SubscriptionService,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {}

  async handle(message: CreateEmailSubscriptionMessage): Promise<void> {
    if (!this.config.env.SUBSCRIPTIONS_ENABLED) {
      await this.subscriptions.usePolling(message.userId);
      return;
    }
    await this.subscriptions.ensure(message.userId, REPLACE.has(message.reason));
  }
}
