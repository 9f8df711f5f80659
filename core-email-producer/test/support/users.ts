import { randomInt, randomUUID } from 'node:crypto';
import { JsonResponse, requestJson } from '@core-email/platform/testing';

/** A client address of its own, so rate limits in one test never touch another (the app trusts loopback proxies). */
export function clientAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export interface ApiClient {
  call(method: string, path: string, body?: unknown, token?: string): Promise<JsonResponse>;
}

/** Calls the API; without a fixed `address` every call comes from a new client address (no shared rate limit). */
export function apiClient(baseUrl: string, address?: string): ApiClient {
  return {
    call(method, path, body, token) {
      const headers: Record<string, string> = { 'x-forwarded-for': address ?? clientAddress() };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      return requestJson(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
  };
}

export interface TestUser {
  email: string;
  password: string;
  token: string;
  id: string;
}

/** Signs up and logs in a fresh user through the real API. */
export async function newUser(api: ApiClient, password = 'correct horse battery'): Promise<TestUser> {
  const email = `user-${randomUUID()}@example.test`;
  const signUp = await api.call('POST', '/api/auth/sign-up', { email, userName: 'Test User', password });
  if (signUp.status !== 201)
    throw new Error(`sign-up failed: ${signUp.status} ${JSON.stringify(signUp.body)}`);
  const logIn = await api.call('POST', '/api/auth/log-in', { email, password });
  if (logIn.status !== 200) throw new Error(`log-in failed: ${logIn.status} ${JSON.stringify(logIn.body)}`);
  return { email, password, token: logIn.body.accessToken, id: logIn.body.user.id };
}
