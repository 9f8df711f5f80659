import { Module } from '@nestjs/common';
import { PageSlots, ParkedJobs } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { GraphClientsModule } from '../graph/graph-clients.module';
import { DeltaPageWriter } from './delta-page-writer';
import { FolderListingService } from './folder-listing.service';
import { FolderSyncService } from './folder-sync.service';
import { MailboxSyncService, PAGE_SLOTS } from './mailbox-sync.service';
import { MailWrites } from './mail-writes';
import { MessagesWriter } from './messages-writer';
import { EmailsRepository } from './repositories/emails.repository';
import { MailFoldersRepository } from './repositories/mail-folders.repository';
import { SyncRunsRepository } from './repositories/sync-runs.repository';
import { StuckRunsRepository } from './stuck/stuck-runs.repository';
import { StuckRunsService } from './stuck/stuck-runs.service';
import { SyncApi } from './sync-api';
import { SyncEmailHandler } from './sync-email.handler';

/** Mailbox sync: the `sync_email` handler and everything behind it. */
@Module({
  imports: [GraphClientsModule],
  providers: [
    DeltaPageWriter,
    MessagesWriter,
    EmailsRepository,
    MailFoldersRepository,
    SyncRunsRepository,
    FolderSyncService,
    FolderListingService,
    MailboxSyncService,
    MailWrites,
    SyncEmailHandler,
    SyncApi,
    StuckRunsRepository,
    StuckRunsService,
    ParkedJobs,
    {
      provide: PAGE_SLOTS,
      inject: [CONSUMER_CONFIG],
      useFactory: (config: ConsumerConfig) => new PageSlots(config.env.SYNC_PAGE_SLOTS),
    },
  ],
  // SyncApi: what real time and the audit use of the sync (folders, deltas, messages by id); nothing else of
  // it is theirs to reach. GraphClientsModule: every feature calls Graph through each mailbox's one limiter.
  // ParkedJobs: the workers re-queue parked syncs once they are due.
  exports: [SyncEmailHandler, SyncApi, GraphClientsModule, ParkedJobs],
})
export class SyncModule {}
