// DELETE /api/me: 204; removes the user with their tokens, mail and subscriptions. Needs the password.
import { apiRequest } from '../../../lib/api-client';
import { useMutation } from '../../../lib/use-mutation';

export function deleteAccount(input: { password: string }): Promise<void> {
  return apiRequest<void>('/api/me', { method: 'DELETE', body: input });
}

export function useDeleteAccount() {
  return useMutation(deleteAccount);
}
