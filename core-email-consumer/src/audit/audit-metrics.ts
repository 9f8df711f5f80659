import { Injectable } from '@nestjs/common';
import { Counter, Gauge, register } from 'prom-client';
import type { AuditStatus, FolderReport } from './folder-report';

// A second app instance in one process (tests) must reuse the registered metric, not register it twice.
function counter<L extends string>(name: string, help: string, label: L): Counter<L> {
  return (register.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames: [label] });
}

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge) ?? new Gauge({ name, help });
}

@Injectable()
export class AuditMetrics {
  private readonly audits = counter(
    'core_email_audits_total',
    'Mailbox completeness audits by outcome (complete, repaired, failed)',
    'outcome',
  );
  private readonly rows = counter(
    'core_email_audit_rows_total',
    'Messages the completeness audit found missing, extra or stale, and those it repaired',
    'kind',
  );
  private readonly lastComplete = gauge(
    'core_email_audit_last_complete_timestamp_seconds',
    'When this process last proved a mailbox complete (an audit ending complete or repaired), Unix seconds',
  );

  audited(outcome: AuditStatus, reports: readonly FolderReport[]): void {
    this.audits.inc({ outcome });
    for (const kind of ['missing', 'extra', 'stale', 'repaired'] as const) {
      const n = reports.reduce((sum, r) => sum + r[kind], 0);
      if (n > 0) this.rows.inc({ kind }, n);
    }
    if (outcome !== 'failed') this.lastComplete.set(Date.now() / 1000);
  }
}
