// DELETE /api/me: 204; removes the user with their tokens, mail and subscriptions. Needs the password;
// a wrong one is 401 "password: is wrong", a field error rather than the end of the session.
import { useMutation } from '@tanstack/react-query';
import { dataOf, passwordCheckedApi } from '../../../lib/api-client';

export async function deleteAccount(input: { password: string }): Promise<void> {
  await dataOf(passwordCheckedApi().DELETE('/api/me', { body: input }));
}

export function useDeleteAccount() {
  return useMutation({ mutationFn: deleteAccount });
}
