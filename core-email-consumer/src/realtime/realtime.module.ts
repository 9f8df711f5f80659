import { Module } from '@nestjs/common';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { SyncModule } from '../sync/sync.module';
import { MailboxChangesService } from './mailbox-changes.service';
import { UpdateEmailSubscriptionHandler } from './update-email-subscription.handler';

/** Real time: notifications the webhook queued, applied by id or with the sync engine's folder deltas. */
@Module({
  imports: [SyncModule, SubscriptionsModule],
  providers: [MailboxChangesService, UpdateEmailSubscriptionHandler],
  exports: [UpdateEmailSubscriptionHandler],
})
export class RealtimeModule {}
