// Scope strings as msal sends them: "https://graph.microsoft.com/Mail.Read openid profile offline_access".
import { AadError } from '../http/errors';

export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const GRAPH_PREFIXES = ['https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000/'];
const SCOPE_NAME = /^[A-Za-z][A-Za-z0-9.]*$/;

export interface ParsedScopes {
  /** Resource scopes exactly as requested (echoed back in the token response). */
  requested: string[];
  /** Graph permission names (Mail.Read …); ".default" means "what was consented". */
  graph: string[];
  oidc: Set<string>;
}

export function parseScopes(raw: string | undefined): ParsedScopes {
  const parts = (raw ?? '').split(/\s+/).filter(Boolean);
  const result: ParsedScopes = { requested: [], graph: [], oidc: new Set() };
  for (const part of parts) {
    const lower = part.toLowerCase();
    if (OIDC_SCOPES.has(lower)) {
      result.oidc.add(lower);
      continue;
    }
    const prefix = GRAPH_PREFIXES.find((p) => lower.startsWith(p));
    const name = prefix ? part.slice(prefix.length) : part;
    if (!SCOPE_NAME.test(name)) {
      throw new AadError(
        400,
        'invalid_scope',
        70011,
        `AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${part} is not valid.`,
      );
    }
    result.requested.push(part);
    result.graph.push(name === '.default' ? '.default' : canonicalName(name));
  }
  return result;
}

/** Graph permission names are case-insensitive; keep one spelling (Mail.Read, User.Read…). */
export function canonicalName(name: string): string {
  return name
    .split('.')
    .map((p) => (p.length ? p[0].toUpperCase() + p.slice(1) : p))
    .join('.');
}

/** Consent needed beyond what the grant already covers. */
export function missingScopes(requested: string[], granted: string[]): string[] {
  const have = new Set(granted.map((s) => s.toLowerCase()));
  return requested.filter((s) => s !== '.default' && !have.has(s.toLowerCase()));
}
