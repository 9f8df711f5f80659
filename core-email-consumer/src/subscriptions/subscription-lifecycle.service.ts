import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { SyncEmailMessage, TOPICS, UpdateEmailSubscriptionMessage } from '@core-email/contracts';
import { GraphSubscriptionsRepository, KafkaPublisher, LOGGER, PUBLISHER } from '@core-email/platform';
import { SubscriptionService } from './subscription.service';

/**
 * What a lifecycle event (`update_email_subscription` with kind `lifecycle`) leads to. The
 * update_email_subscription handler calls `handle`; everything here is safe to run twice.
 * - reauthorizationRequired → POST /subscriptions/{id}/reauthorize (a renewal PATCH if refused);
 * - subscriptionRemoved → a new subscription, then an incremental sync for what happened in between.
 * `missed` never comes here: it is a real-time pass over every folder's delta (UpdateEmailSubscriptionHandler).
 */
@Injectable()
export class SubscriptionLifecycleService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly repo: GraphSubscriptionsRepository,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(message: UpdateEmailSubscriptionMessage): Promise<void> {
    if (message.kind !== 'lifecycle' || !message.lifecycleEvent) return;
    const known = await this.repo.findByGraphId(message.subscriptionId);
    // The webhook checked clientState already; this guards against a subscription we replaced since.
    if (!known || known.userId !== message.userId) {
      this.logger.info({ ...message }, 'lifecycle event for a subscription we do not hold: ignored');
      return;
    }
    switch (message.lifecycleEvent) {
      case 'reauthorizationRequired':
        return this.reauthorize(message);
      case 'subscriptionRemoved':
        return this.recreate(message);
    }
  }

  private async reauthorize(message: UpdateEmailSubscriptionMessage): Promise<void> {
    const live = await this.repo.findActiveByUser(message.userId);
    if (live?.graphSubscriptionId !== message.subscriptionId) return; // replaced since: nothing to do
    if (!(await this.subscriptions.reauthorize(live))) {
      // Neither reauthorize nor renew worked: try a fresh subscription (it falls back to polling if refused).
      await this.subscriptions.ensure(message.userId, true);
    }
  }

  private async recreate(message: UpdateEmailSubscriptionMessage): Promise<void> {
    await this.repo.markRemoved(message.subscriptionId);
    await this.subscriptions.ensure(message.userId, false);
    // Changes made while no subscription was live reach us only through the deltas.
    await this.catchUp(message.userId, 'subscription_removed');
  }

  private async catchUp(userId: string, reason: SyncEmailMessage['reason']): Promise<void> {
    await this.publisher.publish(TOPICS.syncEmail, {
      userId,
      runId: randomUUID(),
      mode: 'incremental',
      reason,
      requestedAt: new Date().toISOString(),
    });
  }
}
