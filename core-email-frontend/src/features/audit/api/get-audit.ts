// GET /api/mail/audit: the latest completeness audit per folder and when the mailbox was last proven complete.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { USER_KEY } from '../../../lib/query-client';

/** Under the mail key: an audit's repairs arrive as `mail` events, which invalidate everything mail. */
export const AUDIT_KEY = [USER_KEY, 'mail', 'audit'];

export function getAudit(signal?: AbortSignal) {
  return dataOf(api().GET('/api/mail/audit', { signal }));
}

export const auditQuery = queryOptions({ queryKey: AUDIT_KEY, queryFn: ({ signal }) => getAudit(signal) });

/** `pollMs` refetches while the latest answer says an audit is pending (one that repairs nothing sends no event). */
export function useAudit(pollMs: number) {
  return useQuery({
    ...auditQuery,
    refetchInterval: (query) => (query.state.data?.requestedAt != null ? pollMs : false),
  });
}
