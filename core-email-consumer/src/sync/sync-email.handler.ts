import { Injectable } from '@nestjs/common';
import { SyncEmailMessage, TOPICS } from '@core-email/contracts';
import type { HandlerContext } from '@core-email/platform';
import type { TopicHandler } from '../workers/topic-handler';
import { MailboxSyncService } from './mailbox-sync.service';

@Injectable()
export class SyncEmailHandler implements TopicHandler<typeof TOPICS.syncEmail> {
  readonly topic = TOPICS.syncEmail;

  constructor(private readonly sync: MailboxSyncService) {}

  handle(message: SyncEmailMessage, ctx: HandlerContext): Promise<void> {
    return this.sync.run(message, ctx);
  }
}
