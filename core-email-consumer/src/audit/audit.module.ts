import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { AuditMailboxHandler } from './audit-mailbox.handler';
import { AuditMetrics } from './audit-metrics';
import { AuditRepairService } from './audit-repair.service';
import { AuditResults } from './audit-results';
import { AuditScheduler } from './audit-scheduler';
import { MailAuditsRepository } from './mail-audits.repository';
import { MailboxAuditService } from './mailbox-audit.service';
import { MailboxAuditor } from './mailbox-auditor';

/**
 * The completeness audit: proof that the copy equals the mailbox. Its Graph calls go through the mailbox's
 * one limiter (GraphClientsModule, from SyncModule) and its repairs are written as the sync writes (SyncApi).
 */
@Module({
  imports: [SyncModule],
  providers: [
    MailAuditsRepository,
    AuditRepairService,
    MailboxAuditor,
    AuditMetrics,
    AuditResults,
    MailboxAuditService,
    AuditMailboxHandler,
    AuditScheduler,
  ],
  exports: [AuditMailboxHandler, AuditScheduler],
})
export class AuditModule {}
