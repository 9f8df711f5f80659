import type { Difference } from './audit-diff';

export type AuditStatus = 'complete' | 'repaired' | 'failed';

/**
 * What fetching a difference by id found. fixed: the copy now has what Graph has (written, deleted, or gone
 * from Graph meanwhile). found: an "extra" Graph still has after all (a listing missed it), rewritten from
 * Graph. same: such an extra already stored exactly as Graph has it (no difference at all). unrepaired: not
 * fetched, or not writable (a folder the copy has not synced, an answer that failed the checks).
 */
export type RepairOutcome = 'fixed' | 'found' | 'same' | 'unrepaired';

/** One audited folder before its differences are counted. */
export interface AuditedFolder {
  folderId: string;
  name: string;
  stored: number;
  /** Messages Graph listed in the folder (0 when it could not be listed). */
  atGraph: number;
  /** Why this folder cannot be proven complete whatever its differences (e.g. its listing failed). */
  problem?: string;
}

/** One row of mail_audits. */
export interface FolderReport {
  folderId: string;
  name: string;
  stored: number;
  atGraph: number;
  missing: number;
  extra: number;
  stale: number;
  repaired: number;
  status: AuditStatus;
  error: string | null;
}

/**
 * Counts each folder's differences with what their repair found, and gives the folder its status: complete
 * (nothing differed), repaired (everything that differed was repaired) or failed (with why).
 */
export function folderReports(
  folders: readonly AuditedFolder[],
  differences: readonly Difference[],
  outcomes: ReadonlyMap<string, RepairOutcome>,
  unrepairedReason: (count: number) => string,
): FolderReport[] {
  const reports = new Map<string, FolderReport>();
  const unrepaired = new Map<string, number>();
  for (const f of folders) {
    reports.set(f.folderId, {
      folderId: f.folderId,
      name: f.name,
      stored: f.stored,
      atGraph: f.atGraph,
      missing: 0,
      extra: 0,
      stale: 0,
      repaired: 0,
      status: 'complete',
      error: f.problem ?? null,
    });
  }
  for (const d of differences) {
    const report = reports.get(d.folderId);
    const outcome = outcomes.get(d.id) ?? 'unrepaired';
    if (!report || outcome === 'same') continue;
    // An "extra" that Graph still has was a stale row in the folder that stores it.
    report[outcome === 'found' ? 'stale' : d.kind] += 1;
    if (outcome === 'unrepaired') unrepaired.set(d.folderId, (unrepaired.get(d.folderId) ?? 0) + 1);
    else report.repaired += 1;
  }
  for (const report of reports.values()) {
    const left = unrepaired.get(report.folderId) ?? 0;
    if (report.error === null && left > 0) report.error = unrepairedReason(left);
    if (report.error !== null) report.status = 'failed';
    else if (report.repaired > 0) report.status = 'repaired';
  }
  return [...reports.values()];
}

/** The audit's outcome: failed if any folder failed, repaired if any was repaired, else complete. */
export function auditOutcome(reports: readonly FolderReport[]): AuditStatus {
  if (reports.some((r) => r.status === 'failed')) return 'failed';
  return reports.some((r) => r.status === 'repaired') ? 'repaired' : 'complete';
}
