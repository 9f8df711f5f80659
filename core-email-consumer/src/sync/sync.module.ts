import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { getDataSourceToken } from '@nestjs/typeorm';
import { GraphClients, LOGGER, MailboxTokens, MailboxTokensModule } from '@core-email/platform';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { ApplyDeltaPageHandler } from './commands/apply-delta-page.handler';
import { FolderSyncService } from './folder-sync.service';
import { MailboxSyncService } from './mailbox-sync.service';
import { EmailsRepository } from './repositories/emails.repository';
import { MailFoldersRepository } from './repositories/mail-folders.repository';
import { SyncRunsRepository } from './repositories/sync-runs.repository';
import { StuckRunsRepository } from './stuck/stuck-runs.repository';
import { StuckRunsService } from './stuck/stuck-runs.service';
import { SyncEmailHandler } from './sync-email.handler';

/** Mailbox sync: the `sync_email` handler and everything behind it. */
@Module({
  imports: [CqrsModule, MailboxTokensModule.forRoot(CONSUMER_CONFIG)],
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
    ApplyDeltaPageHandler,
    EmailsRepository,
    MailFoldersRepository,
    SyncRunsRepository,
    FolderSyncService,
    MailboxSyncService,
    SyncEmailHandler,
    StuckRunsRepository,
    StuckRunsService,
  ],
  // FolderSyncService and GraphClients: the real-time apply runs the same folder deltas (src/realtime/).
  exports: [SyncEmailHandler, FolderSyncService, GraphClients],
})
export class SyncModule {}
