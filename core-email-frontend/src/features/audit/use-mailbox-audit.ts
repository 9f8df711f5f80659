// The audit as the mailbox shows it: loaded once, refetched when the mailbox's events say mail changed, and
// polled only while an audit the user asked for is pending (an audit that finds nothing to repair sends no
// event, so polling is the only way to see it end).
import { useMemo } from 'react';
import type { FolderAudit } from '../../api/models';
import { useAudit } from './api/get-audit';
import { useRequestAudit } from './api/request-audit';

const POLL_MS = 2_000;

export function useMailboxAudit() {
  const audit = useAudit(POLL_MS);
  const request = useRequestAudit();
  const data = audit.data ?? null;

  const byFolder = useMemo(
    () => new Map<string, FolderAudit>((data?.folders ?? []).map((f) => [f.folderId, f])),
    [data],
  );

  return {
    data,
    byFolder,
    pending: data?.requestedAt != null || request.isPending,
    error: request.error instanceof Error ? request.error.message : null,
    checkNow: () => request.mutate(),
  };
}

export type MailboxAuditState = ReturnType<typeof useMailboxAudit>;
