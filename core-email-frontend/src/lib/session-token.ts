// Where the access token lives between page loads.
//
// sessionStorage, on purpose:
// - it survives a reload and the full-page round trip through Microsoft's sign-in (Connect Outlook leaves the
//   app and comes back in the same tab), which an in-memory variable would not;
// - it is scoped to one tab and gone when the tab closes, so a token is not left behind on a shared machine
//   the way localStorage would leave it, and two tabs can hold two different accounts;
// - the API takes a Bearer token from another origin, so an httpOnly cookie is not an option today.
// Like any script-readable storage it is exposed to XSS; React's escaping and the server-side session (which
// log-out and password changes revoke at once) are what limit that.
const KEY = 'core-email.access-token';

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
