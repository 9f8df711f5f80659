// Builds the token endpoint's success response: access token (a v1-style Graph JWT the emulator verifies
// itself), id_token (msal decodes, never verifies), rotated refresh token and client_info.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import { opaqueToken } from '../store/ids';
import type { GrantRecord } from '../store/types';
import { signJwt } from './jwt';

export const GRAPH_AUDIENCE = '00000003-0000-0000-c000-000000000000';

export interface IssueInput {
  grant: GrantRecord;
  /** Resource scopes as requested (echoed in `scope`). */
  requestedScopes: string[];
  /** Graph permission names for the access token's scp. */
  graphScopes: string[];
  oidc: Set<string>;
  origin: string;
  nonce?: string;
}

export function issueTokens(ctx: AppContext, input: IssueInput): Record<string, unknown> {
  const { state, config } = ctx;
  const mailbox = state.mailboxes.get(input.grant.mailboxId)!;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = config.accessTokenLifetimeSeconds;
  const scp = input.graphScopes.includes('.default') ? input.grant.scopes : input.graphScopes;
  const accessToken = signJwt(
    {
      aud: GRAPH_AUDIENCE,
      iss: `https://sts.windows.net/${state.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      app_displayname: state.apps.get(input.grant.clientId)?.displayName,
      appid: input.grant.clientId,
      idtyp: 'user',
      name: mailbox.identity.displayName,
      oid: mailbox.identity.id,
      scp: scp.join(' '),
      sub: mailbox.identity.id,
      tid: state.tenantId,
      unique_name: mailbox.identity.address,
      upn: mailbox.identity.address,
      uti: opaqueToken(12),
      ver: '1.0',
    },
    state.signingKey,
  );
  const response: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: input.requestedScopes.join(' '),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
    client_info: Buffer.from(JSON.stringify({ uid: mailbox.identity.id, utid: state.tenantId })).toString(
      'base64url',
    ),
  };
  if (input.oidc.has('offline_access')) {
    const token = `1.${opaqueToken(96)}`;
    state.refreshTokens.set(token, {
      token,
      grantId: input.grant.id,
      scopes: scp,
      expiresAt: Date.now() + config.refreshTokenLifetimeSeconds * 1000,
      used: false,
    });
    state.dirty = true;
    response.refresh_token = token;
  }
  if (input.oidc.has('openid')) {
    response.id_token = signJwt(
      {
        aud: input.grant.clientId,
        iss: `${input.origin}/${state.tenantId}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: mailbox.identity.displayName,
        oid: mailbox.identity.id,
        preferred_username: mailbox.identity.address,
        ...(input.oidc.has('email') ? { email: mailbox.identity.address } : {}),
        sub: mailbox.identity.id.replace(/-/g, '').slice(0, 22) + input.grant.clientId.slice(0, 8),
        tid: state.tenantId,
        uti: opaqueToken(12),
        ver: '2.0',
        sid: randomUUID(),
        ...(input.nonce ? { nonce: input.nonce } : {}),
      },
      state.signingKey,
    );
  }
  return response;
}
