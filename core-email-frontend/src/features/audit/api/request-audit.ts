// POST /api/mail/audit: check now that the copy equals the mailbox (joins an audit already pending).
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';
import type { AuditRequested } from '../types';

export function requestAudit(): Promise<AuditRequested> {
  return apiRequest<AuditRequested>('/api/mail/audit', { method: 'POST', body: {} });
}

export function useRequestAudit() {
  return useMutation(requestAudit);
}
