import { createHash, randomBytes } from 'node:crypto';
import { sameSecret } from '@core-email/platform';
import type { CookieOptions, Request } from 'express';

/**
 * Binds a connect to the browser that started it. The `state` alone only says which user asked; without this
 * cookie, a user could send their own authorize URL to someone else and get that person's mailbox linked to
 * their account (OAuth login CSRF). Only a hash of the nonce is stored server-side.
 */
export const BINDING_COOKIE = 'core_email_oauth';
const COOKIE_PATH = '/api/user/outlook';

export function newBrowserNonce(): string {
  return randomBytes(32).toString('base64url');
}

export function bindingHash(nonce: string): string {
  return createHash('sha256').update(nonce).digest('base64url');
}

export function sameBinding(nonce: string | undefined, storedHash: string): boolean {
  if (!nonce) return false;
  return sameSecret(storedHash, bindingHash(nonce));
}

export function bindingCookieOptions(secure: boolean, maxAgeMs: number): CookieOptions {
  // Lax: sent on the top-level GET navigation back from Microsoft, never on cross-site subrequests.
  return { httpOnly: true, sameSite: 'lax', secure, path: COOKIE_PATH, maxAge: maxAgeMs };
}

/** The nonce from the request's Cookie header (no cookie parser needed for one cookie). */
export function readBindingCookie(req: Request): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === BINDING_COOKIE) return rest.join('=') || undefined;
  }
  return undefined;
}
