import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PageSlots, ParkedJobs } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { GraphClientsModule } from '../graph/graph-clients.module';
import { ApplyDeltaPageHandler } from './commands/apply-delta-page.handler';
import { ApplyMessagesHandler } from './commands/apply-messages.handler';
import { FolderListingService } from './folder-listing.service';
import { FolderSyncService } from './folder-sync.service';
import { MailboxSyncService, PAGE_SLOTS } from './mailbox-sync.service';
import { MailWrites } from './mail-writes';
import { EmailsRepository } from './repositories/emails.repository';
import { MailFoldersRepository } from './repositories/mail-folders.repository';
import { SyncRunsRepository } from './repositories/sync-runs.repository';
import { StuckRunsRepository } from './stuck/stuck-runs.repository';
import { StuckRunsService } from './stuck/stuck-runs.service';
import { SyncEmailHandler } from './sync-email.handler';

/** Mailbox sync: the `sync_email` handler and everything behind it. */
@Module({
  imports: [CqrsModule, GraphClientsModule],
  providers: [
    ApplyDeltaPageHandler,
    ApplyMessagesHandler,
    EmailsRepository,
    MailFoldersRepository,
    SyncRunsRepository,
    FolderSyncService,
    FolderListingService,
    MailboxSyncService,
    MailWrites,
    SyncEmailHandler,
    StuckRunsRepository,
    StuckRunsService,
    ParkedJobs,
    {
      provide: PAGE_SLOTS,
      inject: [CONSUMER_CONFIG],
      useFactory: (config: ConsumerConfig) => new PageSlots(config.env.SYNC_PAGE_SLOTS),
    },
  ],
  // FolderSyncService, FolderListingService and GraphClientsModule: the real-time apply lists the folders and
  // runs the same folder deltas (src/realtime/) or fetches messages by id (ApplyMessagesCommand).
  // ParkedJobs: the workers re-queue parked syncs once they are due.
  exports: [SyncEmailHandler, FolderSyncService, FolderListingService, GraphClientsModule, ParkedJobs],
})
export class SyncModule {}
