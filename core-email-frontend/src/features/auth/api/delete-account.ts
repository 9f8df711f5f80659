// DELETE /api/me: 204; removes the user with their tokens, mail and subscriptions. Needs the password;
// a wrong one is 401 "password: is wrong", a field error rather than the end of the session.
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function deleteAccount(input: { password: string }): Promise<void> {
  return apiRequest<void>('/api/me', { method: 'DELETE', body: input, endSessionOn401: false });
}

export function useDeleteAccount() {
  return useMutation(deleteAccount);
}
