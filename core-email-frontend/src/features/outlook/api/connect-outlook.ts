// POST /api/outlook/connect: the Microsoft authorize URL for this user (PKCE and a single-use state are
// kept server-side). The browser leaves the app for it and comes back through the producer's redirect.
// The answer also sets an HttpOnly cookie (path /api/user/outlook) that the redirect checks, so a link
// started in one browser cannot complete in another: hence credentials 'include' on this cross-origin call.
import { useMutation } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';

export function connectOutlook() {
  return dataOf(api().POST('/api/outlook/connect', { credentials: 'include' }));
}

export function useConnectOutlook() {
  return useMutation({ mutationFn: connectOutlook });
}
