// POST /api/mail/audit: check now that the copy equals the mailbox (joins an audit already pending).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { AUDIT_KEY } from './get-audit';

export function requestAudit() {
  return dataOf(api().POST('/api/mail/audit', { body: {} }));
}

export function useRequestAudit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: requestAudit,
    // The audit now says it is pending, which starts the polling until it ends.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: AUDIT_KEY }),
  });
}
