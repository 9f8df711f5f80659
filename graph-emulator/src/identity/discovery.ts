// Metadata msal reads: the OpenID configuration (its issuer must match the authority host, msal-node 7
// checks), the JWKS, and the instance discovery document.
import { Router } from 'express';
import { requestOrigin, type AppContext } from '../context';
import { publicJwk } from './jwt';
import { isAlias, resolveTenant } from './tenant';

export function discoveryRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/:tenant/v2.0/.well-known/openid-configuration', (req, res) => {
    const tid = resolveTenant(ctx.state, req.params.tenant);
    const segment = isAlias(req.params.tenant) ? req.params.tenant.toLowerCase() : tid;
    const origin = requestOrigin(ctx, req);
    const base = `${origin}/${segment}`;
    res.json({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      // Real Entra puts a literal {tenantid} placeholder here for the multi-tenant aliases; msal substitutes it.
      issuer: isAlias(req.params.tenant) ? `${origin}/{tenantid}/v2.0` : `${origin}/${tid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      // The browser follows this one, so it uses the public URL rather than the caller's host.
      authorization_endpoint: `${ctx.publicUrl}/${segment}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${ctx.publicUrl}/${segment}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  });

  router.get('/:tenant/discovery/v2.0/keys', (req, res) => {
    resolveTenant(ctx.state, req.params.tenant);
    const issuer = `${requestOrigin(ctx, req)}/${ctx.state.tenantId}/v2.0`;
    res.json({ keys: [{ ...publicJwk(ctx.state.signingKey), issuer }] });
  });

  router.get('/common/discovery/instance', (req, res) => {
    const origin = requestOrigin(ctx, req);
    const host = new URL(origin).host;
    res.json({
      tenant_discovery_endpoint: `${origin}/${ctx.state.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  router.get('/:tenant/oauth2/v2.0/logout', (req, res) => {
    const target =
      typeof req.query.post_logout_redirect_uri === 'string' ? req.query.post_logout_redirect_uri : '';
    if (/^https?:\/\//.test(target)) res.redirect(302, target);
    else
      res
        .type('html')
        .send('<!doctype html><html><body><p>You signed out of your account.</p></body></html>');
  });

  return router;
}
