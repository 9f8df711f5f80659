// GET /api/mail/folders: every folder with Outlook's counts and how many messages are stored here.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../../../lib/api-client';
import { MAIL_KEY } from './keys';

export function getFolders(signal?: AbortSignal) {
  return dataOf(api().GET('/api/mail/folders', { signal }));
}

export const foldersQuery = queryOptions({
  queryKey: [...MAIL_KEY, 'folders'],
  queryFn: ({ signal }) => getFolders(signal),
});

export function useFolders() {
  return useQuery(foldersQuery);
}
