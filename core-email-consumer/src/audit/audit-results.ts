import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TOPICS } from '@core-email/contracts';
import { KafkaPublisher, LOGGER, PUBLISHER } from '@core-email/platform';
import type { Logger } from 'pino';
import { AuditMetrics } from './audit-metrics';
import { auditOutcome, AuditStatus } from './folder-report';
import { MailAuditsRepository } from './mail-audits.repository';
import type { AuditResult } from './mailbox-auditor';

/** The ids notify_user_mutate_email can carry per list (its contract's limit). */
const MAX_IDS = 10_000;

/**
 * What happens to an audit's result: recorded per folder, counted, the repairs announced to the owner's
 * dashboards (notify_user_mutate_email, as real time does), and the sync the copy needs requested.
 */
@Injectable()
export class AuditResults {
  constructor(
    private readonly repo: MailAuditsRepository,
    private readonly metrics: AuditMetrics,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async completed(userId: string, auditId: string, result: AuditResult): Promise<AuditStatus> {
    const outcome = auditOutcome(result.reports);
    await this.repo.record(userId, auditId, result.startedAt, result.reports);
    this.metrics.audited(outcome, result.reports);
    const { created, updated, deleted } = result.changes;
    if (created.length + updated.length + deleted.length > 0) {
      await this.publisher.publish(TOPICS.notifyUserMutateEmail, {
        userId,
        created: created.slice(0, MAX_IDS),
        updated: updated.slice(0, MAX_IDS),
        deleted: deleted.slice(0, MAX_IDS),
        at: new Date().toISOString(),
      });
    }
    if (result.sync) {
      await this.publisher.publish(TOPICS.syncEmail, {
        userId,
        runId: randomUUID(),
        mode: result.sync,
        reason: 'audit',
        requestedAt: new Date().toISOString(),
      });
    }
    this.logger.info(
      { userId, auditId, outcome, folders: result.reports.length, sync: result.sync },
      'mailbox audit finished',
    );
    return outcome;
  }

  /** The copy has no folder yet (its first sync has not run): nothing to prove, the request is answered. */
  async nothingToAudit(userId: string): Promise<void> {
    this.logger.info({ userId }, 'mailbox not synced yet; nothing to audit');
    await this.repo.clearRequests(userId, await this.repo.now());
  }

  async failed(userId: string, auditId: string, reason: string): Promise<void> {
    this.logger.warn({ userId, auditId, reason }, 'mailbox audit failed');
    await this.repo.recordFailure(userId, auditId, await this.repo.now(), reason);
    this.metrics.audited('failed', []);
  }
}
