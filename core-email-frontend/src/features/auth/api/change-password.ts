// PUT /api/me/password: 200 with a fresh access token; every other session of the user is revoked.
// A wrong current password is 401 "currentPassword: is wrong": a field error, not the end of the session.
import type { ChangePasswordInput, LogInResponse } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function changePassword(input: ChangePasswordInput): Promise<LogInResponse> {
  return apiRequest<LogInResponse>('/api/me/password', {
    method: 'PUT',
    body: input,
    endSessionOn401: false,
  });
}

export function useChangePassword() {
  return useMutation(changePassword);
}
