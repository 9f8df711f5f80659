// POST /api/auth/sign-up: 201 with the new user; 400 names the field, 409 for a taken email, 429 throttled.
import { useMutation } from '@tanstack/react-query';
import { anonymousApi, dataOf } from '../../../lib/api-client';

export function signUp(input: { email: string; userName: string; password: string }) {
  return dataOf(anonymousApi().POST('/api/auth/sign-up', { body: input }));
}

export function useSignUp() {
  return useMutation({ mutationFn: signUp });
}
