// The audit as the mailbox shows it: loaded once, reloaded when the mailbox's events say mail changed, and
// polled only while an audit the user asked for is pending (an audit that finds nothing to repair sends no
// event, so polling is the only way to see it end).
import { useEffect, useMemo } from 'react';
import { useAudit } from './api/get-audit';
import { useRequestAudit } from './api/request-audit';
import type { FolderAudit } from './types';

const POLL_MS = 2_000;

export function useMailboxAudit() {
  const audit = useAudit();
  const request = useRequestAudit();
  const data = audit.status === 'success' ? audit.data : null;
  const pending = data?.requestedAt != null || request.pending;
  const { reload } = audit;

  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [pending, reload]);

  const byFolder = useMemo(
    () => new Map<string, FolderAudit>((data?.folders ?? []).map((f) => [f.folderId, f])),
    [data],
  );

  return {
    data,
    byFolder,
    pending,
    error: request.error instanceof Error ? request.error.message : null,
    reload,
    checkNow: () => request.mutate(undefined, { onSuccess: reload }),
  };
}

export type MailboxAuditState = ReturnType<typeof useMailboxAudit>;
