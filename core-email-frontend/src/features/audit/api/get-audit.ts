// GET /api/mail/audit: the latest completeness audit per folder and when the mailbox was last proven complete.
import { apiRequest } from '../../../lib/api-client';
import { useQuery } from '../../../lib/use-query';
import type { MailboxAudit } from '../types';

export function getAudit(signal?: AbortSignal): Promise<MailboxAudit> {
  return apiRequest<MailboxAudit>('/api/mail/audit', { signal });
}

export function useAudit() {
  return useQuery('mail-audit', getAudit);
}
