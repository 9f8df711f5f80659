// DELETE /api/outlook: 204; the tokens are removed, the copied mail stays.
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function disconnectOutlook(): Promise<void> {
  return apiRequest<void>('/api/outlook', { method: 'DELETE' });
}

export function useDisconnectOutlook() {
  return useMutation(disconnectOutlook);
}
