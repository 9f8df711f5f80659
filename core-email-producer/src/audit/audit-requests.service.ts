import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TOPICS } from '@core-email/contracts';
import { Outbox } from '@core-email/platform';
import { DataSource } from 'typeorm';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';
import { OutlookAccountsService } from '../outlook/outlook-accounts.service';
import type { AuditRequestedView, AuditStatusView } from './audit.dto';
import { MailAuditsRepository } from './mail-audits.repository';

/**
 * Audits on demand, coalesced: a mailbox has at most one requested audit queued. A request while one is
 * pending joins it (202 with the pending one's time), so a user clicking "Check now" repeatedly queues one
 * audit, not many. A pending request older than AUDIT_REQUEST_TTL_SECONDS is taken as lost and replaced.
 */
@Injectable()
export class AuditRequestsService {
  private readonly ttlSeconds: number;

  constructor(
    private readonly accounts: OutlookAccountsService,
    private readonly repo: MailAuditsRepository,
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: Outbox,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
  ) {
    this.ttlSeconds = config.env.AUDIT_REQUEST_TTL_SECONDS;
  }

  async request(userId: string): Promise<AuditRequestedView> {
    // Read on the primary: a mailbox connected a moment ago must not be refused by a lagging replica.
    const { status } = await this.accounts.connectionOf(userId);
    if (status === 'not_connected') {
      throw new ConflictException('no mailbox is connected: connect Outlook first');
    }
    if (status !== 'connected') {
      throw new ConflictException(`the mailbox is not connected (${status}); connect Outlook first`);
    }
    // The job is written to the outbox in the transaction that records the request: a request is pending
    // exactly when its job exists, and the transaction never waits on Kafka (the relay sends it).
    return this.db.transaction(async (tx) => {
      const recorded = await this.repo.request(tx, userId, this.ttlSeconds);
      if (!recorded) {
        const pending = await this.repo.pendingSince(tx, userId, this.ttlSeconds);
        return { requestedAt: (pending ?? new Date()).toISOString(), alreadyPending: true };
      }
      await this.outbox.add(tx, TOPICS.auditMailbox, {
        userId,
        reason: 'requested',
        requestedAt: recorded.toISOString(),
      });
      return { requestedAt: recorded.toISOString(), alreadyPending: false };
    });
  }

  status(userId: string): Promise<AuditStatusView> {
    return this.repo.status(userId, this.ttlSeconds);
  }
}
