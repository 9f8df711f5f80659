// The outcome of "Connect Outlook", as the producer's redirect reports it: it sends the browser back to
// `/?outlook=connected` or `/?outlook=error&reason=<code>`. Read once at start-up, then removed from the
// address bar so a reload or a bookmark does not show the banner again.

export type RedirectOutcome = { kind: 'connected' } | { kind: 'error'; reason: string };

/** What each failure means to the user, by the reason code the producer sends. */
const REASONS: Record<string, string> = {
  access_denied: 'You cancelled the Microsoft sign-in or declined the permissions it asked for.',
  invalid_state:
    'The connection request expired or was already used. Start again with the Connect Outlook button.',
  redeem_failed: 'Microsoft did not accept the sign-in. Nothing was stored; please try again.',
  authorization_failed: 'Microsoft refused the sign-in. Nothing was stored; please try again.',
  internal_error: 'Something went wrong on our side. Nothing was stored; please try again in a moment.',
  account_linked_elsewhere:
    'That Microsoft account is already connected to another user of this service, so it was not linked here.',
};

export function describeFailure(reason: string): string {
  return REASONS[reason] ?? 'Outlook could not be connected. Nothing was stored; please try again.';
}

/** Reads `?outlook=...` from the current URL and strips it (and `reason`) from the address bar. */
export function takeRedirectOutcome(): RedirectOutcome | null {
  const url = new URL(window.location.href);
  const outlook = url.searchParams.get('outlook');
  if (outlook === null) return null;
  const reason = url.searchParams.get('reason') ?? 'unknown';
  url.searchParams.delete('outlook');
  url.searchParams.delete('reason');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  if (outlook === 'connected') return { kind: 'connected' };
  return { kind: 'error', reason: outlook === 'error' ? reason : outlook };
}
