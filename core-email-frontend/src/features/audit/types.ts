// The completeness audit's API types (GET/POST /api/mail/audit), as the producer's OpenAPI documents them.

export type AuditStatus = 'complete' | 'repaired' | 'failed';

export interface FolderAudit {
  folderId: string;
  name: string;
  checkedAt: string;
  stored: number;
  atGraph: number;
  missing: number;
  extra: number;
  stale: number;
  repaired: number;
  status: AuditStatus;
  error: string | null;
}

export interface MailboxAudit {
  /** An audit the user asked for that has not finished yet. */
  requestedAt: string | null;
  lastProvenCompleteAt: string | null;
  checkedAt: string | null;
  status: AuditStatus | null;
  folders: FolderAudit[];
}

export interface AuditRequested {
  requestedAt: string;
  alreadyPending: boolean;
}
