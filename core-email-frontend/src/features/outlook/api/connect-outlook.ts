// POST /api/outlook/connect: the Microsoft authorize URL for this user (PKCE and a single-use state are
// kept server-side). The browser leaves the app for it and comes back through the producer's redirect.
import type { ConnectOutlookResponse } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function connectOutlook(): Promise<ConnectOutlookResponse> {
  return apiRequest<ConnectOutlookResponse>('/api/outlook/connect', { method: 'POST' });
}

export function useConnectOutlook() {
  return useMutation(connectOutlook);
}
