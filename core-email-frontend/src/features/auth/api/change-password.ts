// PUT /api/me/password: 200 with a fresh access token; every other session of the user is revoked.
// A wrong current password is 401 "currentPassword: is wrong": a field error, not the end of the session.
import { useMutation } from '@tanstack/react-query';
import { dataOf, passwordCheckedApi } from '../../../lib/api-client';

export function changePassword(input: { currentPassword: string; newPassword: string }) {
  return dataOf(passwordCheckedApi().PUT('/api/me/password', { body: input }));
}

export function useChangePassword() {
  return useMutation({ mutationFn: changePassword });
}
