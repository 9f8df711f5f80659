// GET /api/me: the signed-in user. A 401 here (expired or revoked session) ends the session in api-client.
import { api, dataOf } from '../../../lib/api-client';

export function getMe(signal?: AbortSignal) {
  return dataOf(api().GET('/api/me', { signal }));
}
