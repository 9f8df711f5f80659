// Bearer-token check for /v1.0: a missing, malformed, forged or expired token gets Graph's 401
// InvalidAuthenticationToken. Verified tokens are cached so the hot path (delta paging) skips RSA.
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { GraphError } from '../http/errors';
import { verifyJwt, type Claims } from '../identity/jwt';
import { GRAPH_AUDIENCE } from '../identity/token-issuer';
import type { Caller } from './caller';

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

function unauthorized(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': WWW_AUTHENTICATE });
}

const CACHE_LIMIT = 10_000;

export function graphAuth(ctx: AppContext) {
  const cache = new Map<string, Claims>();

  function claimsOf(token: string): Claims {
    const hit = cache.get(token);
    if (hit) return hit;
    const result = verifyJwt(token, ctx.state.signingKey);
    if (!result.ok) {
      throw unauthorized(
        result.reason === 'malformed'
          ? 'IDX14100: JWT is not well formed, there are no dots (.).'
          : 'Access token validation failure. Invalid signature.',
      );
    }
    if (result.claims.aud !== GRAPH_AUDIENCE)
      throw unauthorized('Access token validation failure. Invalid audience.');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(token, result.claims);
    return result.claims;
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Access token is empty.');
    const claims = claimsOf(match[1]);
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      throw unauthorized('Lifetime validation failed, the token is expired.');
    }
    const mailbox = ctx.state.mailboxes.get(String(claims.oid));
    if (!mailbox || claims.tid !== ctx.state.tenantId)
      throw unauthorized('Access token validation failure. The user or tenant does not exist.');
    const caller: Caller = {
      clientId: String(claims.appid),
      mailbox,
      scopes: new Set(
        String(claims.scp ?? '')
          .toLowerCase()
          .split(' ')
          .filter(Boolean),
      ),
    };
    res.locals.caller = caller;
    next();
  };
}

const READ = ['mail.read', 'mail.readwrite', 'mail.readbasic'];
const WRITE = ['mail.readwrite'];
const SEND = ['mail.send'];

/** Delegated permission check: 403 ErrorAccessDenied when the token lacks every accepted scope. */
export function requireScope(caller: Caller, kind: 'read' | 'write' | 'send'): void {
  const accepted = kind === 'read' ? READ : kind === 'write' ? WRITE : SEND;
  if (!accepted.some((s) => caller.scopes.has(s))) {
    throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  }
}
