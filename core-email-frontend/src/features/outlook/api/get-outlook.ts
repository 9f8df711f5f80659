// GET /api/outlook: the user's mailbox connection (not_connected, connected, reauth_required, disconnected).
import type { OutlookConnection } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useQuery } from '../../../lib/use-query';

export function getOutlook(signal?: AbortSignal): Promise<OutlookConnection> {
  return apiRequest<OutlookConnection>('/api/outlook', { signal });
}

export function useOutlook() {
  return useQuery('outlook', getOutlook);
}
