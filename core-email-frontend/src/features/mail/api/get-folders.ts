// GET /api/mail/folders: every folder with Outlook's counts and how many messages are stored here.
import type { FolderList } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';
import { useQuery } from '../../../lib/use-query';

export function getFolders(signal?: AbortSignal): Promise<FolderList> {
  return apiRequest<FolderList>('/api/mail/folders', { signal });
}

export function useFolders() {
  return useQuery('mail-folders', getFolders);
}
