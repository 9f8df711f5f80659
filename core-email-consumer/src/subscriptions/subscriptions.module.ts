import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  GraphClients,
  GraphSubscriptionsRepository,
  LOGGER,
  MailboxTokens,
  MailboxTokensModule,
} from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { CreateEmailSubscriptionHandler } from './create-email-subscription.handler';
import { SubscriptionLifecycleService } from './subscription-lifecycle.service';
import { SubscriptionMetrics } from './subscription-metrics';
import { SubscriptionRenewalHandler } from './subscription-renewal.handler';
import { SubscriptionScheduler } from './subscription-scheduler';
import { SubscriptionService } from './subscription.service';

/**
 * Graph subscriptions: create, renew, lifecycle recovery, and the polling fallback. Subscription calls are a
 * handful per mailbox per week, so their own GraphClients (same settings as the sync's) costs nothing.
 */
@Module({
  imports: [MailboxTokensModule.forRoot(CONSUMER_CONFIG)],
  providers: [
    {
      provide: GraphClients,
      inject: [CONSUMER_CONFIG, MailboxTokens, getDataSourceToken(), LOGGER],
      useFactory: (config: ConsumerConfig, tokens: MailboxTokens, db: DataSource, logger: Logger) =>
        new GraphClients(
          {
            graphBaseUrl: config.env.GRAPH_BASE_URL,
            maxConcurrency: config.env.GRAPH_MAX_CONCURRENCY,
            requestBudget: config.env.GRAPH_REQUEST_BUDGET,
            budgetWindowMs: config.env.GRAPH_BUDGET_WINDOW_SECONDS * 1000,
            maxThrottleRetries: config.env.GRAPH_THROTTLE_RETRIES,
          },
          tokens,
          db,
          logger,
        ),
    },
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
