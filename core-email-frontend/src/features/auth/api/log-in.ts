// POST /api/auth/log-in: 200 with the access token and the user; 401 wrong credentials; 429 throttled.
import { useMutation } from '@tanstack/react-query';
import { anonymousApi, dataOf } from '../../../lib/api-client';

export function logIn(input: { email: string; password: string }) {
  return dataOf(anonymousApi().POST('/api/auth/log-in', { body: input }));
}

export function useLogIn() {
  return useMutation({ mutationFn: logIn });
}
