// GET /api/mail/sync: the connection and the latest sync run (the sync panel's state before any live event).
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { MAIL_KEY } from './keys';

export function getSyncStatus(signal?: AbortSignal) {
  return dataOf(api().GET('/api/mail/sync', { signal }));
}

export const syncStatusQuery = queryOptions({
  queryKey: [...MAIL_KEY, 'sync'],
  queryFn: ({ signal }) => getSyncStatus(signal),
});

export function useSyncStatus() {
  return useQuery(syncStatusQuery);
}
