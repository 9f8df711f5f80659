// GET /api/mail/messages/:id: one message in full, body included (404 unless it is the caller's).
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { MAIL_KEY } from './keys';

export function getMessage(id: string, signal?: AbortSignal) {
  return dataOf(api().GET('/api/mail/messages/{id}', { params: { path: { id } }, signal }));
}

export function messageQuery(id: string) {
  return queryOptions({
    queryKey: [...MAIL_KEY, 'message', id],
    queryFn: ({ signal }) => getMessage(id, signal),
  });
}

export function useMessage(id: string) {
  return useQuery(messageQuery(id));
}
