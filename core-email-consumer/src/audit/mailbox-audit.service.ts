import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuditMailboxMessage } from '@core-email/contracts';
import { HandlerContext, MailboxLease, mailboxUnusableReason } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from '../config/config';
import { describeError } from './audit-errors';
import { AuditResults } from './audit-results';
import { MailboxAuditor } from './mailbox-auditor';

/**
 * One `audit_mailbox` job. The whole audit holds the mailbox's lease, as a sync run and a real-time pass do:
 * an audit interleaved with them could "repair" a row back to a state they had just replaced. Idempotent: a
 * redelivered job audits again, which changes nothing the first one repaired.
 */
@Injectable()
export class MailboxAuditService {
  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    private readonly lease: MailboxLease,
    private readonly auditor: MailboxAuditor,
    private readonly results: AuditResults,
  ) {}

  async run(job: AuditMailboxMessage, ctx: HandlerContext): Promise<void> {
    const auditId = randomUUID();
    const heartbeat = () => ctx.heartbeat();
    try {
      await this.lease.hold(
        job.userId,
        async () => {
          const result = await this.auditor.audit(job.userId, heartbeat);
          if (result) await this.results.completed(job.userId, auditId, result);
          else await this.results.nothingToAudit(job.userId);
        },
        { heartbeat },
      );
    } catch (error) {
      const reason = mailboxUnusableReason(error); // no retry can fix it: recorded failed at once
      const lastAttempt = ctx.attempt >= this.config.retry.attempts;
      if (reason === undefined && !lastAttempt) throw error; // retried with backoff
      await this.results.failed(job.userId, auditId, reason ?? describeError(error));
      if (reason === undefined) throw error; // the dead-letter topic keeps the job and the error
    }
  }
}
