import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CreateEmailSubscriptionCronMessage, TOPICS } from '@core-email/contracts';
import { GraphSubscriptionsRepository, KafkaPublisher, LOGGER, PUBLISHER } from '@core-email/platform';
import type { TopicHandler } from '../workers/topic-handler';
import { SubscriptionService } from './subscription.service';

/**
 * `create_email_subscription_cron`: renews the live subscriptions that expire within the tick's window, and
 * asks again for a subscription for every mailbox that fell back to polling (so it returns to push as soon
 * as Graph agrees). A redelivered tick finds the renewed ones outside the window and does nothing twice.
 */
@Injectable()
export class SubscriptionRenewalHandler implements TopicHandler<typeof TOPICS.createEmailSubscriptionCron> {
  readonly topic = TOPICS.createEmailSubscriptionCron;

  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly repo: GraphSubscriptionsRepository,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(message: CreateEmailSubscriptionCronMessage): Promise<void> {
    const before = new Date(Date.now() + message.renewWithinMinutes * 60_000);
    let renewed = 0;
    let failed = 0;
    for (const sub of await this.repo.listExpiringBefore(before)) {
      if (await this.subscriptions.renew(sub)) renewed += 1;
      else failed += 1;
    }
    const polling = await this.repo.listPollingMailboxes();
    const requestedAt = new Date().toISOString();
    // Creation runs on each mailbox's own partition (keyed by user), not inside this one tick.
    await this.publisher.publishMany(
      TOPICS.createEmailSubscription,
      polling.map((userId) => ({ userId, reason: 'renewal_failed' as const, requestedAt })),
    );
    this.logger.info(
      { tick: message.tick, renewed, failed, retried: polling.length },
      'subscription renewal tick',
    );
  }
}
