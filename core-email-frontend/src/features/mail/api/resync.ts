// POST /api/mail/resync: start a sync now. Incremental (from each folder's delta link) unless `full`.
import type { ResyncStarted } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export type ResyncMode = 'incremental' | 'full';

export function resync(mode: ResyncMode): Promise<ResyncStarted> {
  return apiRequest<ResyncStarted>('/api/mail/resync', { method: 'POST', body: { mode } });
}

export function useResync() {
  return useMutation(resync);
}
