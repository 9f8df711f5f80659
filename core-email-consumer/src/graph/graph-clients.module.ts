import { Module } from '@nestjs/common';
import {
  GraphClients,
  LOGGER,
  MailboxTokens,
  MailboxTokensModule,
  REDIS_CLUSTER,
} from '@core-email/platform';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';

/**
 * The process's one GraphClients, shared by the sync and the subscriptions: each mailbox must have a single
 * limiter (4 in flight, one request budget, one Retry-After pause), whichever feature calls Graph, and the
 * limiter is shared with the other replicas through the Redis cluster.
 */
@Module({
  imports: [MailboxTokensModule.forRoot(CONSUMER_CONFIG)],
  providers: [
    {
      provide: GraphClients,
      inject: [CONSUMER_CONFIG, MailboxTokens, LOGGER, REDIS_CLUSTER],
      useFactory: (config: ConsumerConfig, tokens: MailboxTokens, logger: Logger, redis: Cluster) =>
        new GraphClients(
          {
            graphBaseUrl: config.env.GRAPH_BASE_URL,
            maxConcurrency: config.env.GRAPH_MAX_CONCURRENCY,
            requestBudget: config.env.GRAPH_REQUEST_BUDGET,
            budgetWindowMs: config.env.GRAPH_BUDGET_WINDOW_SECONDS * 1000,
            maxThrottleRetries: config.env.GRAPH_THROTTLE_RETRIES,
            maxGatewayTimeoutRetries: config.env.GRAPH_GATEWAY_TIMEOUT_RETRIES,
            maxResponseBytes: config.env.GRAPH_MAX_RESPONSE_MB * 1024 * 1024,
          },
          tokens,
          logger,
          { redis, redisTimeoutMs: config.env.GRAPH_LIMITS_REDIS_TIMEOUT_MS },
        ),
    },
  ],
  exports: [GraphClients, MailboxTokensModule],
})
export class GraphClientsModule {}
