import { Module } from '@nestjs/common';
import { OutlookModule } from '../outlook/outlook.module';
import { AuditController } from './audit.controller';
import { AuditRequestsService } from './audit-requests.service';
import { MailAuditsRepository } from './mail-audits.repository';

/** The completeness audit's API: requests (audit_mailbox jobs for the consumer) and the recorded results. */
@Module({
  imports: [OutlookModule],
  controllers: [AuditController],
  providers: [AuditRequestsService, MailAuditsRepository],
})
export class AuditModule {}
