import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  CreateEmailSubscriptionCronMessage,
  CreateEmailSubscriptionMessage,
  TOPICS,
} from '@core-email/contracts';
import { GraphSubscriptionsRepository, KafkaPublisher, LOGGER, PUBLISHER } from '@core-email/platform';
import type { TopicHandler } from '../workers/topic-handler';
import { SubscriptionService } from './subscription.service';

/**
 * `create_email_subscription_cron`: first retires `active` rows that are not live (mailbox not connected, or
 * expired at Graph: those mailboxes get a new subscription and a catch-up sync), then renews the live ones
 * that expire within the tick's window, replaces subscriptions made before immutable ids, and asks again for
 * a subscription for every mailbox that fell back to polling (so it returns to push as soon as Graph
 * agrees). A redelivered tick finds the renewed ones outside the window and does nothing twice.
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
    const expired = await this.repo.retireStale();
    const before = new Date(Date.now() + message.renewWithinMinutes * 60_000);
    let renewed = 0;
    let failed = 0;
    for (const sub of await this.repo.listExpiringBefore(before)) {
      if (await this.subscriptions.renew(sub)) renewed += 1;
      else failed += 1;
    }
    const defaultIds = await this.repo.listWithDefaultIds();
    const polling = await this.repo.listPollingMailboxes();
    // Creation runs on each mailbox's own partition (keyed by user), not inside this one tick.
    await this.requestSubscriptions([
      ...expired.map((userId) => ({ userId, reason: 'subscription_removed' as const })),
      ...defaultIds.map((userId) => ({ userId, reason: 'id_format' as const })),
      ...polling.map((userId) => ({ userId, reason: 'renewal_failed' as const })),
    ]);
    await this.catchUp(expired);
    this.logger.info(
      {
        tick: message.tick,
        renewed,
        failed,
        expired: expired.length,
        replaced: defaultIds.length,
        retried: polling.length,
      },
      'subscription renewal tick',
    );
  }

  private async requestSubscriptions(
    requests: { userId: string; reason: CreateEmailSubscriptionMessage['reason'] }[],
  ): Promise<void> {
    const requestedAt = new Date().toISOString();
    await this.publisher.publishMany(
      TOPICS.createEmailSubscription,
      requests.map((r) => ({ ...r, requestedAt })),
    );
  }

  /** Changes made while a mailbox had no live subscription reach us only through its deltas. */
  private async catchUp(userIds: string[]): Promise<void> {
    const requestedAt = new Date().toISOString();
    await this.publisher.publishMany(
      TOPICS.syncEmail,
      userIds.map((userId) => ({
        userId,
        runId: randomUUID(),
        mode: 'incremental' as const,
        reason: 'subscription_removed' as const,
        requestedAt,
      })),
    );
  }
}
