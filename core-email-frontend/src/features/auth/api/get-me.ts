// GET /api/me: the signed-in user. A 401 here (expired or revoked session) ends the session in api-client.
import type { User } from '../../../api/types';
import { apiRequest } from '../../../lib/api-client';

export function getMe(signal?: AbortSignal): Promise<User> {
  return apiRequest<User>('/api/me', { signal });
}
