import { Injectable } from '@nestjs/common';
import { counterMetric, gaugeMetric } from '@core-email/platform';
import type { AuditStatus, FolderReport } from './folder-report';

@Injectable()
export class AuditMetrics {
  private readonly audits = counterMetric({
    name: 'core_email_audits_total',
    help: 'Mailbox completeness audits by outcome (complete, repaired, failed)',
    labelNames: ['outcome'],
  });
  private readonly rows = counterMetric({
    name: 'core_email_audit_rows_total',
    help: 'Messages the completeness audit found missing, extra or stale, and those it repaired',
    labelNames: ['kind'],
  });
  private readonly lastComplete = gaugeMetric({
    name: 'core_email_audit_last_complete_timestamp_seconds',
    help: 'When this process last proved a mailbox complete (an audit ending complete or repaired), Unix seconds',
  });

  audited(outcome: AuditStatus, reports: readonly FolderReport[]): void {
    this.audits.inc({ outcome });
    for (const kind of ['missing', 'extra', 'stale', 'repaired'] as const) {
      const n = reports.reduce((sum, r) => sum + r[kind], 0);
      if (n > 0) this.rows.inc({ kind }, n);
    }
    if (outcome !== 'failed') this.lastComplete.set(Date.now() / 1000);
  }
}
