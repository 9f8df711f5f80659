// GET /api/mail/messages: one page of the table, newest first. Keyset paging: the API hands out an opaque
// `nextCursor`; the page after it is asked for with `cursor`.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { MAIL_KEY } from './keys';

export const PAGE_SIZE = 25;

export interface MessagesQuery {
  folderId: string | null;
  cursor: string | null;
}

export function getMessages({ folderId, cursor }: MessagesQuery, signal?: AbortSignal) {
  const query = { limit: PAGE_SIZE, folderId: folderId ?? undefined, cursor: cursor ?? undefined };
  return dataOf(api().GET('/api/mail/messages', { params: { query }, signal }));
}

export function messagesQuery(query: MessagesQuery) {
  return queryOptions({
    queryKey: [...MAIL_KEY, 'messages', query],
    queryFn: ({ signal }) => getMessages(query, signal),
  });
}

/** The page on screen stays until the next one arrives (no "Loading" flash while paging). */
export function useMessages(query: MessagesQuery) {
  return useQuery({ ...messagesQuery(query), placeholderData: keepPreviousData });
}
