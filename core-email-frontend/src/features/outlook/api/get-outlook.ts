// GET /api/outlook: the user's mailbox connection (not_connected, connected, reauth_required, disconnected).
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { USER_KEY } from '../../../lib/query-client';

export function getOutlook(signal?: AbortSignal) {
  return dataOf(api().GET('/api/outlook', { signal }));
}

export const outlookQuery = queryOptions({
  queryKey: [USER_KEY, 'outlook'],
  queryFn: ({ signal }) => getOutlook(signal),
});

export function useOutlook() {
  return useQuery(outlookQuery);
}
