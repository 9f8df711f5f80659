// GET /api/mail/sync: the connection and the latest sync run (the sync panel's state before any live event).
import type { SyncStatus } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useQuery } from '../../../lib/use-query';

export function getSyncStatus(signal?: AbortSignal): Promise<SyncStatus> {
  return apiRequest<SyncStatus>('/api/mail/sync', { signal });
}

export function useSyncStatus() {
  return useQuery('mail-sync', getSyncStatus);
}
