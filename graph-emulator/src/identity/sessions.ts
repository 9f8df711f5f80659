// Short-lived identity state that is deliberately not snapshotted: sign-in requests in progress and
// authorization codes (Entra codes live about 10 minutes and are single-use).
import { opaqueToken } from '../store/ids';

export interface AuthorizeRequest {
  id: string;
  tenant: string;
  clientId: string;
  redirectUri: string;
  responseMode: 'query' | 'fragment' | 'form_post';
  scopes: string[];
  graphScopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  forceConsent: boolean;
  loginHint?: string;
  mailboxId?: string;
  expiresAt: number;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  mailboxId: string;
  grantId: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  expiresAt: number;
  redeemed: boolean;
}

const REQUEST_TTL_MS = 15 * 60 * 1000;

export class IdentitySessions {
  private readonly requests = new Map<string, AuthorizeRequest>();
  private readonly codes = new Map<string, AuthCode>();

  startRequest(fields: Omit<AuthorizeRequest, 'id' | 'expiresAt'>): AuthorizeRequest {
    this.sweep();
    const request = { ...fields, id: opaqueToken(24), expiresAt: Date.now() + REQUEST_TTL_MS };
    this.requests.set(request.id, request);
    return request;
  }

  getRequest(id: string | undefined): AuthorizeRequest | undefined {
    const r = id ? this.requests.get(id) : undefined;
    return r && r.expiresAt > Date.now() ? r : undefined;
  }

  endRequest(id: string): void {
    this.requests.delete(id);
  }

  issueCode(fields: Omit<AuthCode, 'code' | 'redeemed'>): AuthCode {
    // Entra codes are long opaque strings starting with "1." or "0."; the exact shape is irrelevant to clients.
    const code: AuthCode = { ...fields, code: `1.${opaqueToken(64)}`, redeemed: false };
    this.codes.set(code.code, code);
    return code;
  }

  getCode(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, r] of this.requests) if (r.expiresAt < now) this.requests.delete(id);
    // Redeemed codes are kept until expiry so reuse gets AADSTS54005 rather than "unknown code".
    for (const [c, code] of this.codes) if (code.expiresAt + 60_000 < now) this.codes.delete(c);
  }
}
