// POST /api/mail/resync: start a sync now. Incremental (from each folder's delta link) unless `full`.
import { useMutation } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';

export type ResyncMode = 'incremental' | 'full';

export function resync(mode: ResyncMode) {
  return dataOf(api().POST('/api/mail/resync', { body: { mode } }));
}

export function useResync() {
  return useMutation({ mutationFn: resync });
}
