// POST /api/auth/log-out: 204; the server revokes the session, so the token stops working everywhere.
import { useState } from 'react';
import { apiRequest } from '../../../lib/api-client';
import { useSession } from '../session';

export function logOut(): Promise<void> {
  return apiRequest<void>('/api/auth/log-out', { method: 'POST' });
}

/** Log-out always ends the session in this tab, even when the API cannot be told (it says so). */
export function useLogOut() {
  const { endSession } = useSession();
  const [pending, setPending] = useState(false);
  const run = () => {
    setPending(true);
    logOut().then(
      () => endSession('You have logged out.'),
      () =>
        endSession('You are logged out in this tab, but the server could not be told; log out again later.'),
    );
  };
  return { logOut: run, pending };
}
