// POST /api/auth/log-out: 204; the server revokes the session, so the token stops working everywhere.
import { useMutation } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { useSession } from '../session';

export async function logOut(): Promise<void> {
  await dataOf(api().POST('/api/auth/log-out'));
}

/** Log-out always ends the session in this tab, even when the API cannot be told (it says so). */
export function useLogOut() {
  const { endSession } = useSession();
  const mutation = useMutation({
    mutationFn: logOut,
    onSuccess: () => endSession('You have logged out.'),
    onError: () =>
      endSession('You are logged out in this tab, but the server could not be told; log out again later.'),
  });
  return { logOut: () => mutation.mutate(), pending: mutation.isPending };
}
