// GET /api/mail/messages/:id: one message in full, body included (404 unless it is the caller's).
import type { Message } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useQuery } from '../../../lib/use-query';

export function getMessage(id: string, signal?: AbortSignal): Promise<Message> {
  return apiRequest<Message>(`/api/mail/messages/${encodeURIComponent(id)}`, { signal });
}

export function useMessage(id: string) {
  return useQuery(`mail-message:${id}`, (signal) => getMessage(id, signal));
}
