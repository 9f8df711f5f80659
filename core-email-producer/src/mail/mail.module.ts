import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OutlookModule } from '../outlook/outlook.module';
import { MailCacheRepository } from './mail-cache.repository';
import { MailController } from './mail.controller';
import { MailReadRepository } from './mail-read.repository';
import { MailReadSource } from './mail-read-source';
import { MailReader } from './mail-reader.service';
import { GetMessageHandler } from './queries/get-message.query';
import { GetSyncStatusHandler } from './queries/get-sync-status.query';
import { ListFoldersHandler } from './queries/list-folders.query';
import { ListMessagesHandler } from './queries/list-messages.query';
import { ResyncService } from './resync.service';

/** The read API over the mail copy (CQRS queries on the replica through the Redis cache) and resync. */
@Module({
  imports: [CqrsModule, OutlookModule],
  controllers: [MailController],
  providers: [
    MailCacheRepository,
    MailReadRepository,
    MailReadSource,
    MailReader,
    ListMessagesHandler,
    GetMessageHandler,
    ListFoldersHandler,
    GetSyncStatusHandler,
    ResyncService,
  ],
  exports: [MailReadSource],
})
export class MailModule {}
