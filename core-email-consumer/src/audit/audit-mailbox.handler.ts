import { Injectable } from '@nestjs/common';
import { AuditMailboxMessage, TOPICS } from '@core-email/contracts';
import type { HandlerContext } from '@core-email/platform';
import type { TopicHandler } from '../workers/topic-handler';
import { MailboxAuditService } from './mailbox-audit.service';

@Injectable()
export class AuditMailboxHandler implements TopicHandler<typeof TOPICS.auditMailbox> {
  readonly topic = TOPICS.auditMailbox;

  constructor(private readonly audits: MailboxAuditService) {}

  handle(message: AuditMailboxMessage, ctx: HandlerContext): Promise<void> {
    return this.audits.run(message, ctx);
  }
}
