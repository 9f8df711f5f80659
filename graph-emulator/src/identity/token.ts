// POST /{tenant}/oauth2/v2.0/token: authorization_code (PKCE, single-use, short-lived codes) and
// refresh_token (rotation). Validation order follows Entra: client auth, then the grant, then PKCE,
// redirect URI and scope. Every answer is JSON, because msal cannot parse anything else.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { requestOrigin, type AppContext } from '../context';
import { AadError } from '../http/errors';
import type { AppRecord, GrantRecord } from '../store/types';
import type { TokenFaults } from '../throttle/token-faults';
import { missingScopes, parseScopes } from './scopes';
import type { IdentitySessions } from './sessions';
import { resolveTenant } from './tenant';
import { issueTokens } from './token-issuer';

type Body = Record<string, string | undefined>;

function bodyOf(req: Request): Body {
  const out: Body = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
    if (typeof v === 'string') out[k] = v;
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const invalidGrant = (code: number, text: string, suberror?: string) =>
  new AadError(400, 'invalid_grant', code, `AADSTS${code}: ${text}`, suberror ? { suberror } : {});

function authenticateClient(ctx: AppContext, req: Request, body: Body): AppRecord {
  let clientId = body.client_id;
  let secret = body.client_secret;
  const basic = /^Basic (.+)$/i.exec(req.header('authorization') ?? '');
  if (basic) {
    const [id, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    try {
      // client_secret_basic form-encodes both parts before base64.
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pass ?? '');
    } catch {
      throw new AadError(401, 'invalid_client', 7000215, 'AADSTS7000215: Invalid client secret provided.');
    }
  }
  if (!clientId)
    throw new AadError(
      400,
      'invalid_request',
      900144,
      "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
    );
  const app = ctx.state.apps.get(clientId);
  if (!app) {
    throw new AadError(
      400,
      'unauthorized_client',
      700016,
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${ctx.state.tenantId}'.`,
    );
  }
  if (body.client_assertion) {
    throw new AadError(
      401,
      'invalid_client',
      700027,
      'AADSTS700027: Client assertion contains an invalid signature. The emulator registers apps with secrets only.',
    );
  }
  if (!secret) {
    throw new AadError(
      401,
      'invalid_client',
      7000218,
      "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  if (!safeEqual(secret, app.clientSecret)) {
    throw new AadError(
      401,
      'invalid_client',
      7000215,
      'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
    );
  }
  return app;
}

function verifyPkce(
  challenge: string | undefined,
  method: string | undefined,
  verifier: string | undefined,
): void {
  if (!challenge) return;
  if (!verifier)
    throw invalidGrant(
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    );
  const computed = method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
  if (!safeEqual(computed, challenge)) {
    throw invalidGrant(
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    );
  }
}

function liveGrant(ctx: AppContext, grantId: string): GrantRecord {
  const grant = ctx.state.grants.get(grantId);
  if (!grant || grant.revoked || !ctx.state.mailboxes.has(grant.mailboxId)) {
    throw invalidGrant(
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    );
  }
  return grant;
}

export function tokenRoutes(ctx: AppContext, sessions: IdentitySessions, faults?: TokenFaults): Router {
  const router = Router();

  router.post('/:tenant/oauth2/v2.0/token', (req, res) => {
    resolveTenant(ctx.state, String(req.params.tenant));
    const body = bodyOf(req);
    // Entra's throttling and Conditional Access answer before the grant is looked at.
    faults?.apply(body.grant_type);
    const app = authenticateClient(ctx, req, body);
    const scopes = parseScopes(body.scope);
    const origin = requestOrigin(ctx, req);
    res.setHeader('Cache-Control', 'no-store, no-cache');
    res.setHeader('Pragma', 'no-cache');

    if (body.grant_type === 'authorization_code') {
      if (!body.code)
        throw new AadError(
          400,
          'invalid_request',
          900144,
          "AADSTS900144: The request body must contain the following parameter: 'code'.",
        );
      const code = sessions.getCode(body.code);
      if (!code || code.clientId !== app.clientId)
        throw invalidGrant(9002313, 'Invalid request. Request is malformed or invalid.');
      if (code.redeemed)
        throw invalidGrant(
          54005,
          'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
        );
      if (code.expiresAt < Date.now())
        throw invalidGrant(
          70008,
          'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
        );
      code.redeemed = true;
      verifyPkce(code.codeChallenge, code.codeChallengeMethod, body.code_verifier);
      if (body.redirect_uri !== code.redirectUri) {
        throw invalidGrant(
          500117,
          'The reply uri specified in the request does not match the reply uri used in the authorization request.',
        );
      }
      const grant = liveGrant(ctx, code.grantId);
      const requested = scopes.requested.length > 0 ? scopes : parseScopes(code.scopes.join(' '));
      res.json(
        issueTokens(ctx, {
          grant,
          requestedScopes: requested.requested,
          graphScopes: requested.graph,
          oidc: scopes.oidc,
          origin,
          nonce: code.nonce,
        }),
      );
      return;
    }

    if (body.grant_type === 'refresh_token') {
      if (!body.refresh_token)
        throw new AadError(
          400,
          'invalid_request',
          900144,
          "AADSTS900144: The request body must contain the following parameter: 'refresh_token'.",
        );
      const rt = ctx.state.refreshTokens.get(body.refresh_token);
      if (!rt) throw invalidGrant(9002313, 'Invalid request. Request is malformed or invalid.');
      const grant = liveGrant(ctx, rt.grantId);
      if (grant.clientId !== app.clientId)
        throw invalidGrant(70000, "The provided value for the 'refresh_token' is not valid.");
      if (rt.expiresAt < Date.now())
        throw invalidGrant(700082, 'The refresh token has expired due to inactivity.');
      if (rt.used && ctx.config.strictRefreshRotation)
        throw invalidGrant(
          70000,
          "The provided value for the 'refresh_token' is not valid. It was already used.",
        );
      const missing = missingScopes(scopes.graph, grant.scopes);
      if (missing.length > 0) {
        throw new AadError(
          400,
          'invalid_grant',
          65001,
          `AADSTS65001: The user or administrator has not consented to use the application with ID '${app.clientId}'. Send an interactive authorization request for this user and resource.`,
          { suberror: 'consent_required' },
        );
      }
      rt.used = true;
      if (ctx.config.strictRefreshRotation) ctx.state.refreshTokens.delete(rt.token);
      // Refresh responses always rotate; offline_access is implied by presenting a refresh token.
      const oidc = new Set([...scopes.oidc, 'offline_access']);
      const graphScopes = scopes.graph.length > 0 ? scopes.graph : rt.scopes;
      const requested = scopes.requested.length > 0 ? scopes.requested : rt.scopes;
      res.json(issueTokens(ctx, { grant, requestedScopes: requested, graphScopes, oidc, origin }));
      return;
    }

    throw new AadError(
      400,
      'unsupported_grant_type',
      70003,
      `AADSTS70003: The app requested an unsupported grant type '${body.grant_type ?? ''}'.`,
    );
  });

  return router;
}
