import { Module } from '@nestjs/common';
import { AuditMailboxHandler } from '../audit/audit-mailbox.handler';
import { AuditModule } from '../audit/audit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { UpdateEmailSubscriptionHandler } from '../realtime/update-email-subscription.handler';
import { CreateEmailSubscriptionHandler } from '../subscriptions/create-email-subscription.handler';
import { SubscriptionRenewalHandler } from '../subscriptions/subscription-renewal.handler';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { SyncEmailHandler } from '../sync/sync-email.handler';
import { SyncModule } from '../sync/sync.module';
import { TOPIC_HANDLERS, TopicHandler } from './topic-handler';
import { WorkerMetrics } from './worker-metrics';
import { WorkersService } from './workers.service';

/** Later features register their handlers here (sync, subscriptions, notifications). */
@Module({
  imports: [SyncModule, SubscriptionsModule, RealtimeModule, AuditModule],
  providers: [
    {
      provide: TOPIC_HANDLERS,
      inject: [
        SyncEmailHandler,
        CreateEmailSubscriptionHandler,
        SubscriptionRenewalHandler,
        UpdateEmailSubscriptionHandler,
        AuditMailboxHandler,
      ],
      useFactory: (...handlers: TopicHandler[]) => handlers,
    },
    WorkerMetrics,
    WorkersService,
  ],
})
export class WorkersModule {}
