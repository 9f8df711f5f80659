import { Module } from '@nestjs/common';
import { GraphSubscriptionsRepository } from '@core-email/platform';
import { GraphWebhookController } from './graph-webhook.controller';
import { GraphWebhookService } from './graph-webhook.service';
import { SubscriptionOwners } from './subscription-owners';

/** Graph's webhook: authenticates notifications and queues them for the consumer. */
@Module({
  controllers: [GraphWebhookController],
  providers: [GraphWebhookService, SubscriptionOwners, GraphSubscriptionsRepository],
})
export class WebhooksModule {}
