// The browser leg of the authorization code flow: /authorize validates the app and redirect URI, shows the
// sign-in form, then the consent form, and finally redirects back with a code (or access_denied).
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { AadError } from '../http/errors';
import { guid } from '../store/ids';
import type { GrantRecord } from '../store/types';
import { consentPage, formPostPage, signInPage } from './pages';
import { missingScopes, parseScopes } from './scopes';
import type { AuthorizeRequest, IdentitySessions } from './sessions';
import { resolveTenant } from './tenant';

type Query = Record<string, string | undefined>;

function flatQuery(source: unknown): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries((source ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function htmlError(status: number, error: string, code: number, text: string): AadError {
  return new AadError(status, error, code, `AADSTS${code}: ${text}`, { html: true });
}

/** Sends the result to the app's redirect URI in the requested response mode. */
function respond(res: Response, request: AuthorizeRequest, fields: Record<string, string>): void {
  const all = { ...fields, ...(request.state !== undefined ? { state: request.state } : {}) };
  if (request.responseMode === 'form_post') {
    res.type('html').send(formPostPage(request.redirectUri, all));
    return;
  }
  const params = new URLSearchParams(all).toString();
  const url = new URL(request.redirectUri);
  if (request.responseMode === 'fragment') url.hash = params;
  else url.search = url.search ? `${url.search.slice(1)}&${params}` : params;
  res.redirect(302, url.toString());
}

function deny(res: Response, request: AuthorizeRequest): void {
  respond(res, request, {
    error: 'access_denied',
    error_description: 'AADSTS65004: User declined to consent to access the app.',
  });
}

export function authorizeRoutes(ctx: AppContext, sessions: IdentitySessions): Router {
  const router = Router();
  const { state } = ctx;

  function validate(req: Request): AuthorizeRequest {
    const tenant = resolveTenant(state, String(req.params.tenant), true);
    const q = flatQuery(req.method === 'GET' ? req.query : req.body);
    if (!q.client_id)
      throw htmlError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    const app = state.apps.get(q.client_id);
    if (!app) {
      throw htmlError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${q.client_id}' was not found in the directory '${tenant}'.`,
      );
    }
    if (!q.redirect_uri || !app.redirectUris.includes(q.redirect_uri)) {
      throw htmlError(
        400,
        'invalid_request',
        50011,
        `The redirect URI '${q.redirect_uri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`,
      );
    }
    const mode = q.response_mode ?? 'query';
    if (mode !== 'query' && mode !== 'fragment' && mode !== 'form_post') {
      throw htmlError(
        400,
        'invalid_request',
        900144,
        `The provided value for the input parameter 'response_mode' is not valid.`,
      );
    }
    const method = q.code_challenge_method ?? (q.code_challenge ? 'plain' : undefined);
    if (method !== undefined && method !== 'S256' && method !== 'plain') {
      throw htmlError(400, 'invalid_request', 50148, 'The code_challenge_method is not supported.');
    }
    const scopes = parseScopes(q.scope);
    return {
      id: '',
      expiresAt: 0,
      tenant,
      clientId: app.clientId,
      redirectUri: q.redirect_uri,
      responseMode: mode,
      scopes: scopes.requested,
      graphScopes: scopes.graph.filter((s) => s !== '.default'),
      state: q.state,
      nonce: q.nonce,
      codeChallenge: q.code_challenge,
      codeChallengeMethod: method as 'S256' | 'plain' | undefined,
      forceConsent: q.prompt === 'consent',
      loginHint: q.login_hint,
    };
  }

  function begin(req: Request, res: Response): void {
    const request = validate(req);
    const q = flatQuery(req.method === 'GET' ? req.query : req.body);
    // From here on errors go back to the app's redirect URI, as Entra does once the app is known.
    if (!(q.response_type ?? '').split(' ').includes('code')) {
      return respond(res, request, {
        error: 'unsupported_response_type',
        error_description: 'AADSTS700054: response_type is not enabled for the application.',
      });
    }
    if (q.prompt === 'none') {
      // The emulator keeps no browser session, so silent sign-in always needs interaction.
      return respond(res, request, {
        error: 'login_required',
        error_description: 'AADSTS50058: A silent sign-in request was sent but no user is signed in.',
      });
    }
    const started = sessions.startRequest(request);
    const app = state.apps.get(request.clientId)!;
    res
      .type('html')
      .send(signInPage(`/${request.tenant}/login`, started.id, app.displayName, request.loginHint ?? ''));
  }

  router.get('/:tenant/oauth2/v2.0/authorize', begin);
  router.post('/:tenant/oauth2/v2.0/authorize', begin);

  function pending(req: Request): AuthorizeRequest {
    resolveTenant(state, String(req.params.tenant), true);
    const request = sessions.getRequest(typeof req.body?.request === 'string' ? req.body.request : undefined);
    if (!request)
      throw htmlError(
        400,
        'invalid_request',
        50058,
        'The sign-in session has expired or is unknown. Start again from the application.',
      );
    return request;
  }

  function finish(res: Response, request: AuthorizeRequest, grant: GrantRecord): void {
    sessions.endRequest(request.id);
    const code = sessions.issueCode({
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      mailboxId: grant.mailboxId,
      grantId: grant.id,
      scopes: request.scopes,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      expiresAt: Date.now() + ctx.config.authCodeLifetimeSeconds * 1000,
    });
    respond(res, request, { code: code.code, session_state: guid() });
  }

  router.post('/:tenant/login', (req, res) => {
    const request = pending(req);
    if (req.body.action === 'cancel') {
      sessions.endRequest(request.id);
      return deny(res, request);
    }
    const app = state.apps.get(request.clientId)!;
    const username = typeof req.body.username === 'string' ? req.body.username.trim() : '';
    const mailbox = state.mailboxByAddress(username);
    if (!mailbox || req.body.password !== mailbox.identity.password) {
      res
        .status(200)
        .type('html')
        .send(
          signInPage(
            `/${request.tenant}/login`,
            request.id,
            app.displayName,
            username,
            'AADSTS50126: Your account or password is incorrect.',
          ),
        );
      return;
    }
    request.mailboxId = mailbox.identity.id;
    const grant = state.findGrant(request.clientId, mailbox.identity.id);
    if (grant && !request.forceConsent && missingScopes(request.graphScopes, grant.scopes).length === 0) {
      return finish(res, request, grant);
    }
    res
      .type('html')
      .send(
        consentPage(
          `/${request.tenant}/consent`,
          request.id,
          app.displayName,
          mailbox.identity.address,
          request.scopes,
        ),
      );
  });

  router.post('/:tenant/consent', (req, res) => {
    const request = pending(req);
    if (!request.mailboxId) throw htmlError(400, 'invalid_request', 50058, 'Sign in before consenting.');
    if (req.body.action !== 'accept') {
      sessions.endRequest(request.id);
      return deny(res, request);
    }
    let grant = state.findGrant(request.clientId, request.mailboxId);
    if (!grant) {
      grant = {
        id: guid(),
        clientId: request.clientId,
        mailboxId: request.mailboxId,
        scopes: [],
        revoked: false,
        createdAt: Date.now(),
      };
      state.grants.set(grant.id, grant);
    }
    grant.scopes = [...new Set([...grant.scopes, ...request.graphScopes])];
    state.dirty = true;
    finish(res, request, grant);
  });

  return router;
}
