import { Module } from '@nestjs/common';
import { GraphSubscriptionsRepository } from '@core-email/platform';
import { GraphClientsModule } from '../graph/graph-clients.module';
import { CreateEmailSubscriptionHandler } from './create-email-subscription.handler';
import { SubscriptionLifecycleService } from './subscription-lifecycle.service';
import { SubscriptionMetrics } from './subscription-metrics';
import { SubscriptionRenewalHandler } from './subscription-renewal.handler';
import { SubscriptionScheduler } from './subscription-scheduler';
import { SubscriptionService } from './subscription.service';

/**
 * Graph subscriptions: create, renew, lifecycle recovery, and the polling fallback. Their Graph calls go
 * through the same per-mailbox limiter as the sync's (GraphClientsModule).
 */
@Module({
  imports: [GraphClientsModule],
  providers: [
    GraphSubscriptionsRepository,
    SubscriptionMetrics,
    SubscriptionService,
    SubscriptionLifecycleService,
    CreateEmailSubscriptionHandler,
    SubscriptionRenewalHandler,
    SubscriptionScheduler,
  ],
  exports: [CreateEmailSubscriptionHandler, SubscriptionRenewalHandler, SubscriptionLifecycleService],
})
export class SubscriptionsModule {}
