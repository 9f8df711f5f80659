// The one place the dashboard talks HTTP to the producer: the typed client (openapi-fetch over the generated
// api/schema.d.ts), the base URL, the Bearer token, and the producer's error answer turned into ApiError.
// Every file under features/*/api/ calls `api()` (or one of its two variants) and unwraps with `dataOf`.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../api/schema';
import { clearToken, readToken } from './session-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The producer's messages, one per problem; "field: text" when a field is to blame. */
    readonly messages: string[],
    /** From Retry-After on 429, when the API exposes it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(messages.join('; ') || `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

type ApiClient = Client<paths>;

const sessionEndedListeners = new Set<() => void>();
let clients = createClients('http://localhost:3000');

/** Called once at start-up (main.tsx) with the loaded configuration. */
export function configureApiClient(settings: { apiUrl: string }): void {
  clients = createClients(settings.apiUrl);
}

/** `listener` runs when a request that carried the token answers 401. Returns the unsubscribe function. */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** Sends the session's Bearer token; a 401 means the session is over. */
export function api(): ApiClient {
  return clients.session;
}

/** Sign-up and log-in: no token, and their 401 (wrong password) is an answer for the form. */
export function anonymousApi(): ApiClient {
  return clients.anonymous;
}

/**
 * Sends the token, but a 401 does not end the session: where the API also answers 401 for a wrong password
 * typed into a form (change password, delete account), that is a field error, and a session that really
 * ended is caught by the next ordinary request.
 */
export function passwordCheckedApi(): ApiClient {
  return clients.passwordChecked;
}

/** The answer's body, or the ApiError that the producer's error answer means. */
export async function dataOf<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw toApiError(response, error);
  return data as T;
}

function createClients(apiUrl: string) {
  return {
    session: createApiClient(apiUrl, [unreachable(apiUrl), bearerToken({ endSessionOn401: true })]),
    passwordChecked: createApiClient(apiUrl, [unreachable(apiUrl), bearerToken({ endSessionOn401: false })]),
    anonymous: createApiClient(apiUrl, [unreachable(apiUrl)]),
  };
}

function createApiClient(apiUrl: string, middleware: Middleware[]): ApiClient {
  const client = createClient<paths>({ baseUrl: apiUrl, headers: { accept: 'application/json' } });
  client.use(...middleware);
  return client;
}

function bearerToken({ endSessionOn401 }: { endSessionOn401: boolean }): Middleware {
  return {
    onRequest({ request }) {
      const token = readToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response }) {
      // A 401 on a request that carried the token means the session expired or was revoked.
      if (endSessionOn401 && response.status === 401 && request.headers.has('authorization')) {
        clearToken();
        sessionEndedListeners.forEach((listener) => listener());
      }
    },
  };
}

function unreachable(apiUrl: string): Middleware {
  return {
    onError({ request }) {
      // An aborted request (the page moved on) stays an AbortError, which the query layer ignores.
      if (request.signal.aborted) return;
      return new ApiError(0, [`The API at ${apiUrl} is unreachable. Is the producer running?`]);
    },
  };
}

/** Every error the producer answers with (its exception filter); `message` may name the field. */
interface ApiErrorBody {
  message?: unknown;
}

/** `body` is the answer parsed as JSON, or its text when it is not JSON (a proxy's error page). */
function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  const message = typeof body === 'object' && body !== null ? (body as ApiErrorBody).message : undefined;
  let messages: string[] = [];
  if (Array.isArray(message)) messages = message.filter((m): m is string => typeof m === 'string');
  else if (typeof message === 'string') messages = [message];
  if (response.status === 429) {
    const wait = retryAfterSeconds ? `in ${retryAfterSeconds} seconds` : 'in a minute';
    messages = [`Too many attempts. Try again ${wait}.`];
  }
  if (messages.length === 0)
    messages = [`The API answered HTTP ${response.status} ${response.statusText}`.trim()];
  return new ApiError(response.status, messages, retryAfterSeconds);
}
