// Server state for the whole app (TanStack Query). The mailbox is kept current by the server's events
// (features/mail/components/mailbox.tsx invalidates on them) and by the mutations that change it, never by
// refetching on focus or on a timer; the polls are health (api/get-health.ts) and a pending audit.
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

/** The root of every query key that belongs to the signed-in user: see `forgetUserData`. */
export const USER_KEY = 'user';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: retryTransient, refetchOnWindowFocus: false },
    mutations: { retry: false },
  },
});

/** A 4xx is the API's answer and stays one; an unreachable API or a 5xx may be passing: two more tries. */
function retryTransient(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

/** When the session ends: the next user of this tab must never see the last one's data, not even cached. */
export function forgetUserData(): void {
  queryClient.removeQueries({ queryKey: [USER_KEY] });
}
