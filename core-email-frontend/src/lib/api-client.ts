// The one place the dashboard talks HTTP to the producer: base URL, JSON, the Bearer token, and the
// producer's error shape turned into ApiError. Every file under features/*/api/ goes through `apiRequest`.
import type { ApiErrorBody } from '../api/types';
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

let apiUrl = 'http://localhost:3000';
const sessionEndedListeners = new Set<() => void>();

/** Called once at start-up (main.tsx) with the loaded configuration. */
export function configureApiClient(settings: { apiUrl: string }): void {
  apiUrl = settings.apiUrl;
}

/** `listener` runs when a request that carried the token answers 401. Returns the unsubscribe function. */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Send the session's Bearer token (default). Sign-up and log-in set this to false. */
  auth?: boolean;
  /**
   * Whether a 401 means the session is over (default). False where the API also answers 401 for a wrong
   * password typed into a form (change password, delete account): that is a field error, and a session that
   * really ended is caught by the next ordinary request.
   */
  endSessionOn401?: boolean;
  /**
   * Send and accept cookies on this cross-origin call (fetch's credentials: 'include'). Only where the API
   * sets one: Connect Outlook's HttpOnly cookie that binds the OAuth round trip to this browser.
   */
  withCookies?: boolean;
  signal?: AbortSignal;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, auth = true, endSessionOn401 = true, withCookies = false, signal } = options;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = auth ? readToken() : null;
  if (token) headers.authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: withCookies ? 'include' : 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, [`The API at ${apiUrl} is unreachable. Is the producer running?`]);
  }

  // A 401 on a request that carried the token means the session expired or was revoked. A 401 without one
  // (wrong password at log-in) is an answer for the form, not the end of a session.
  if (response.status === 401 && token && endSessionOn401) {
    clearToken();
    sessionEndedListeners.forEach((listener) => listener());
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/**
 * Opens a long-lived GET (Server-Sent Events) with the Bearer token and returns its body to read as it
 * arrives. fetch rather than EventSource: EventSource cannot send an Authorization header, and the token
 * must never go in a URL (it would land in logs and history). A 401 ends the session like any request.
 */
export async function apiStream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const token = readToken();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${apiUrl}${path}`, { headers, signal, cache: 'no-store' });
  if (response.status === 401 && token) {
    clearToken();
    sessionEndedListeners.forEach((listener) => listener());
  }
  if (!response.ok || !response.body) throw await toApiError(response);
  return response.body;
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  let messages: string[] = [];
  try {
    const body = (await response.json()) as Partial<ApiErrorBody> | null;
    const message = body?.message;
    if (Array.isArray(message)) messages = message.filter((m): m is string => typeof m === 'string');
    else if (typeof message === 'string') messages = [message];
  } catch {
    // Not JSON (a proxy's error page): the status line below is all there is to say.
  }
  if (response.status === 429) {
    const wait = retryAfterSeconds ? `in ${retryAfterSeconds} seconds` : 'in a minute';
    messages = [`Too many attempts. Try again ${wait}.`];
  }
  if (messages.length === 0)
    messages = [`The API answered HTTP ${response.status} ${response.statusText}`.trim()];
  return new ApiError(response.status, messages, retryAfterSeconds);
}
