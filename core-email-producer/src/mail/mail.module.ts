import { Module } from '@nestjs/common';
import { OutlookModule } from '../outlook/outlook.module';
import { MailCacheRepository } from './mail-cache.repository';
import { MailController } from './mail.controller';
import { MailQueries } from './mail-queries.service';
import { MailReadRepository } from './mail-read.repository';
import { MailReadSource } from './mail-read-source';
import { MailReader } from './mail-reader.service';
import { ResyncService } from './resync.service';

/** The read API over the mail copy (MailQueries: the replica through the Redis cache) and resync. */
@Module({
  imports: [OutlookModule],
  controllers: [MailController],
  providers: [
    MailCacheRepository,
    MailReadRepository,
    MailReadSource,
    MailReader,
    MailQueries,
    ResyncService,
  ],
  exports: [MailReadSource],
})
export class MailModule {}
