import { createHash, randomBytes } from 'node:crypto';
import { sameSecret } from '@core-email/platform';
import type { CookieOptions, Request } from 'express';

/**
 * Binds a connect to the browser that started it. The `state` alone only says which user asked; without this
 * cookie, a user could send their own authorize URL to someone else and get that person's mailbox linked to
 * their account (OAuth login CSRF). Only a hash of the nonce is stored server-side.
 */
/**
 * Over https the cookie is `__Host-`: Secure, Path=/, no Domain, so a sibling subdomain or a plain-http
 * response cannot plant or overwrite it (a tossed cookie would link the victim's mailbox to the attacker's
 * account). Plain http (local development only: production refuses an http redirect URI) cannot carry the
 * prefix, so there it keeps a plain name, scoped to the redirect's path.
 */
export interface BindingCookie {
  name: string;
  options: CookieOptions;
}

export function bindingCookie(secure: boolean, maxAgeMs: number): BindingCookie {
  // Lax: sent on the top-level GET navigation back from Microsoft, never on cross-site subrequests.
  const options: CookieOptions = { httpOnly: true, sameSite: 'lax', maxAge: maxAgeMs };
  return secure
    ? { name: '__Host-core_email_oauth', options: { ...options, secure: true, path: '/' } }
    : { name: 'core_email_oauth', options: { ...options, secure: false, path: '/api/user/outlook' } };
}

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

/** The nonce from the request's Cookie header (no cookie parser needed for one cookie). */
export function readBindingCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || undefined;
  }
  return undefined;
}
