// POST /api/auth/log-in: 200 with the access token and the user; 401 wrong credentials; 429 throttled.
import type { LogInInput, LogInResponse } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function logIn(input: LogInInput): Promise<LogInResponse> {
  return apiRequest<LogInResponse>('/api/auth/log-in', { method: 'POST', body: input, auth: false });
}

export function useLogIn() {
  return useMutation(logIn);
}
