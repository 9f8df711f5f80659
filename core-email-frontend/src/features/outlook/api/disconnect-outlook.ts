// DELETE /api/outlook: 204; the tokens are removed, the copied mail stays.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { outlookQuery } from './get-outlook';

export async function disconnectOutlook(): Promise<void> {
  await dataOf(api().DELETE('/api/outlook'));
}

export function useDisconnectOutlook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: disconnectOutlook,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: outlookQuery.queryKey }),
  });
}
