// POST /api/auth/sign-up: 201 with the new user; 400 names the field, 409 for a taken email, 429 throttled.
import type { SignUpInput, SignUpResponse } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function signUp(input: SignUpInput): Promise<SignUpResponse> {
  return apiRequest<SignUpResponse>('/api/auth/sign-up', { method: 'POST', body: input, auth: false });
}

export function useSignUp() {
  return useMutation(signUp);
}
