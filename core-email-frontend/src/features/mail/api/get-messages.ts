// GET /api/mail/messages: one page of the table, newest first. Keyset paging: the API hands out an opaque
// `nextCursor`; the page after it is asked for with `cursor`.
import type { MessagePage } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useQuery } from '../../../lib/use-query';

export const PAGE_SIZE = 25;

export interface MessagesQuery {
  folderId: string | null;
  cursor: string | null;
}

export function getMessages({ folderId, cursor }: MessagesQuery, signal?: AbortSignal): Promise<MessagePage> {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (folderId) params.set('folderId', folderId);
  if (cursor) params.set('cursor', cursor);
  return apiRequest<MessagePage>(`/api/mail/messages?${params}`, { signal });
}

export function useMessages(query: MessagesQuery) {
  return useQuery(`mail-messages:${query.folderId ?? ''}:${query.cursor ?? ''}`, (signal) =>
    getMessages(query, signal),
  );
}
