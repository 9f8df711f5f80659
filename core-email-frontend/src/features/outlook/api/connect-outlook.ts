// POST /api/outlook/connect: the Microsoft authorize URL for this user (PKCE and a single-use state are
// kept server-side). The browser leaves the app for it and comes back through the producer's redirect.
// The answer also sets an HttpOnly cookie (path /api/user/outlook) that the redirect checks, so a link
// started in one browser cannot complete in another: hence `withCookies`.
import type { ConnectOutlookResponse } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function connectOutlook(): Promise<ConnectOutlookResponse> {
  return apiRequest<ConnectOutlookResponse>('/api/outlook/connect', { method: 'POST', withCookies: true });
}

export function useConnectOutlook() {
  return useMutation(connectOutlook);
}
