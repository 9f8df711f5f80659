// Fault injection for the token endpoint: what Entra answers when it throttles (429 + Retry-After), when it
// is briefly unavailable (503 temporarily_unavailable) and when Conditional Access demands MFA on a refresh
// (AADSTS50076 interaction_required, suberror basic_action), and Entra's own brake on a client that asks
// again and again (AADSTS50196 loop detected, an invalid_grant that is not a dead grant). For the next N
// requests, or a share of them.
import { z } from 'zod';
import { AadError } from '../http/errors';

export const tokenFaultSchema = z
  .object({
    kind: z.enum(['throttle', 'unavailable', 'interaction_required', 'loop_detected']),
    /** The next N token requests fail... */
    next: z.number().int().min(0).max(1_000_000).default(0),
    /** ...and after them this share of requests. */
    rate: z.number().min(0).max(1).default(0),
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** Only requests of this grant type are affected (default: both). */
    grantType: z.enum(['authorization_code', 'refresh_token']).optional(),
  })
  .strict();

export type TokenFaultSettings = z.infer<typeof tokenFaultSchema>;

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

function faultError(s: TokenFaultSettings): AadError {
  const retryAfter = { 'Retry-After': String(s.retryAfterSeconds) };
  switch (s.kind) {
    case 'throttle':
      return new AadError(
        429,
        'temporarily_unavailable',
        90055,
        'AADSTS90055: There are too many incoming requests. Please retry after a while.',
        { headers: retryAfter },
      );
    case 'unavailable':
      return new AadError(
        503,
        'temporarily_unavailable',
        90024,
        'AADSTS90024: A transient error has occurred. Please try again.',
        { headers: retryAfter },
      );
    case 'loop_detected':
      return new AadError(
        400,
        'invalid_grant',
        50196,
        'AADSTS50196: The server terminated an operation because it encountered a client request loop. Please contact your app vendor.',
      );
    case 'interaction_required':
      return new AadError(
        400,
        'interaction_required',
        50076,
        `AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${GRAPH_APP_ID}'.`,
        {
          suberror: 'basic_action',
          claims:
            '{"access_token":{"capolids":{"essential":true,"values":["00000000-0000-0000-0000-000000000001"]}}}',
        },
      );
  }
}

export class TokenFaults {
  settings?: TokenFaultSettings;
  /** Token requests answered with an injected fault so far. */
  injected = 0;

  set(settings: TokenFaultSettings): void {
    this.settings = settings;
  }

  clear(): void {
    this.settings = undefined;
  }

  /** Throws the configured fault if this request is one of those it applies to. */
  apply(grantType: string | undefined): void {
    const s = this.settings;
    if (!s || (s.grantType && s.grantType !== grantType)) return;
    const hit = s.next > 0 || (s.rate > 0 && Math.random() < s.rate);
    if (!hit) return;
    if (s.next > 0) s.next--;
    this.injected++;
    throw faultError(s);
  }
}
