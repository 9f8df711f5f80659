// The OAuth 2.0 authorization code flow through the real msal-node: sign-in form, consent, PKCE, code
// redemption, refresh with rotation, and Entra's errors (AADSTS codes) where a person or app gets it wrong.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import {
  browserSignIn,
  fetchPage,
  GRAPH_SCOPES,
  newMsalApp,
  REDIRECT_URI,
  signIn,
  submitForm,
} from './support/msal';
import { expectGraphError, graphClient } from './support/graph';

describe('identity platform through msal-node', () => {
  let emulator: TestEmulator;
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => emulator.stop());

  it('signs in through the form, redeems the code and refreshes with a rotated refresh token', async () => {
    const { app, result } = await signIn(emulator);
    const mailbox = emulator.ctx.state.mailboxByAddress('demo@contoso.test')!;
    assert.equal(result.account?.username, 'demo@contoso.test');
    assert.equal(result.account?.homeAccountId, `${mailbox.identity.id}.${emulator.ctx.state.tenantId}`);
    assert.equal(result.account?.tenantId, emulator.ctx.state.tenantId);
    assert.equal(result.idTokenClaims && (result.idTokenClaims as { oid?: string }).oid, mailbox.identity.id);
    assert.ok(result.accessToken.length > 100);
    assert.deepEqual(
      new Set(result.scopes.map((s) => s.toLowerCase())),
      new Set(GRAPH_SCOPES.map((s) => s.toLowerCase())),
    );

    const refreshTokensBefore = Object.values(JSON.parse(app.getTokenCache().serialize()).RefreshToken) as {
      secret: string;
    }[];
    const refreshed = await app.acquireTokenSilent({
      account: result.account!,
      scopes: GRAPH_SCOPES,
      forceRefresh: true,
    });
    const refreshTokensAfter = Object.values(JSON.parse(app.getTokenCache().serialize()).RefreshToken) as {
      secret: string;
    }[];
    assert.notEqual(refreshed.accessToken, result.accessToken);
    assert.equal(refreshTokensAfter.length, 1);
    assert.notEqual(refreshTokensAfter[0].secret, refreshTokensBefore[0].secret, 'the refresh token rotates');

    const me = await graphClient(emulator, () => refreshed.accessToken)
      .api('/me')
      .get();
    assert.equal(me.mail, 'demo@contoso.test');
    assert.equal(me.id, mailbox.identity.id);
  });

  it('does not ask for consent again once granted, and redirects with the state echoed', async () => {
    const app = newMsalApp(emulator);
    const { redirect } = await browserSignIn(app, emulator.url, { state: 'xyz-42' });
    assert.equal(redirect.origin + redirect.pathname, REDIRECT_URI);
    assert.equal(redirect.searchParams.get('state'), 'xyz-42');
    assert.ok(redirect.searchParams.get('code'));
  });

  it('returns access_denied to the app when the person cancels consent', async () => {
    await emulator.control('POST', '/mailboxes', {
      address: 'shy@contoso.test',
      password: 'pw',
      displayName: 'Shy User',
    });
    const app = newMsalApp(emulator);
    const { redirect } = await browserSignIn(app, emulator.url, {
      username: 'shy@contoso.test',
      password: 'pw',
      consent: 'cancel',
      state: 's1',
    });
    assert.equal(redirect.searchParams.get('error'), 'access_denied');
    assert.match(redirect.searchParams.get('error_description') ?? '', /AADSTS65004/);
    assert.equal(redirect.searchParams.get('state'), 's1');
    assert.equal(redirect.searchParams.get('code'), null);
  });

  it('shows the sign-in form again for a wrong password', async () => {
    const app = newMsalApp(emulator);
    const signInPage = await fetchPage(
      await app.getAuthCodeUrl({ scopes: GRAPH_SCOPES, redirectUri: REDIRECT_URI }),
    );
    const again = await submitForm(signInPage, emulator.url, {
      username: 'demo@contoso.test',
      password: 'wrong',
      action: 'signin',
    });
    assert.equal(again.status, 200);
    assert.match(again.html, /AADSTS50126: Your account or password is incorrect/);
    assert.match(again.html, /name="password"/);
  });

  it('shows an error page, not a redirect, for an unknown client or an unregistered redirect URI', async () => {
    const unknown = newMsalApp(emulator, { clientId: '00000000-0000-0000-0000-000000000001' });
    const url1 = await unknown.getAuthCodeUrl({ scopes: GRAPH_SCOPES, redirectUri: REDIRECT_URI });
    const res1 = await fetch(url1, { redirect: 'manual' });
    assert.equal(res1.status, 400);
    assert.match(await res1.text(), /AADSTS700016/);

    const app = newMsalApp(emulator);
    const url2 = await app.getAuthCodeUrl({
      scopes: GRAPH_SCOPES,
      redirectUri: 'https://evil.example/callback',
    });
    const res2 = await fetch(url2, { redirect: 'manual' });
    assert.equal(res2.status, 400);
    assert.equal(res2.headers.get('location'), null);
    assert.match(await res2.text(), /AADSTS50011/);
  });

  it('accepts a code once, only with the right PKCE verifier', async () => {
    const app = newMsalApp(emulator);
    const first = await browserSignIn(app, emulator.url);
    const code = first.redirect.searchParams.get('code')!;
    await assert.rejects(
      app.acquireTokenByCode({
        code,
        scopes: GRAPH_SCOPES,
        redirectUri: REDIRECT_URI,
        codeVerifier: 'x'.repeat(43),
      }),
      (err: { errorCode?: string; errorMessage?: string }) =>
        err.errorCode === 'invalid_grant' && /AADSTS501481/.test(err.errorMessage ?? ''),
    );
    // A redemption attempt burns the code, as in Entra.
    await assert.rejects(
      app.acquireTokenByCode({
        code,
        scopes: GRAPH_SCOPES,
        redirectUri: REDIRECT_URI,
        codeVerifier: first.verifier,
      }),
      (err: { errorCode?: string; errorMessage?: string }) =>
        err.errorCode === 'invalid_grant' && /AADSTS54005/.test(err.errorMessage ?? ''),
    );
    const second = await browserSignIn(app, emulator.url);
    const ok = await app.acquireTokenByCode({
      code: second.redirect.searchParams.get('code')!,
      scopes: GRAPH_SCOPES,
      redirectUri: REDIRECT_URI,
      codeVerifier: second.verifier,
    });
    assert.equal(ok.account?.username, 'demo@contoso.test');
  });

  it('rejects a wrong client secret with invalid_client', async () => {
    const app = newMsalApp(emulator, { clientSecret: 'not-the-secret' });
    const { redirect, verifier } = await browserSignIn(app, emulator.url);
    await assert.rejects(
      app.acquireTokenByCode({
        code: redirect.searchParams.get('code')!,
        scopes: GRAPH_SCOPES,
        redirectUri: REDIRECT_URI,
        codeVerifier: verifier,
      }),
      (err: { errorCode?: string; errorMessage?: string }) =>
        err.errorCode === 'invalid_client' && /AADSTS7000215/.test(err.errorMessage ?? ''),
    );
  });

  it('answers forged and missing Graph tokens with 401 InvalidAuthenticationToken', async () => {
    const { result } = await signIn(emulator);
    const [h, p] = result.accessToken.split('.');
    const forged = `${h}.${p}.${Buffer.from('not a signature').toString('base64url')}`;
    const err = await expectGraphError(
      graphClient(emulator, () => forged)
        .api('/me')
        .get(),
    );
    assert.equal(err.statusCode, 401);
    assert.equal(err.code, 'InvalidAuthenticationToken');
    const res = await fetch(`${emulator.url}/v1.0/me/messages`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as {
      error: { code: string; message: string; innerError: Record<string, string> };
    };
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.equal(body.error.message, 'Access token is empty.');
    assert.ok(body.error.innerError['request-id']);
  });

  it('serves discovery whose issuer matches the authority, for the tenant id and for common', async () => {
    for (const tenant of [emulator.ctx.state.tenantId, 'common', 'organizations']) {
      const doc = (await (
        await fetch(`${emulator.url}/${tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      assert.ok(String(doc.issuer).startsWith(`${emulator.url}/`));
      assert.equal(doc.token_endpoint, `${emulator.url}/${tenant}/oauth2/v2.0/token`);
    }
    const unknown = await fetch(`${emulator.url}/not-a-tenant/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error: string }).error, 'invalid_tenant');
  });
});

describe('token lifetimes', () => {
  let emulator: TestEmulator;
  before(async () => {
    emulator = await startTestEmulator({ EMULATOR_ACCESS_TOKEN_LIFETIME_SECONDS: '1' });
  });
  after(async () => emulator.stop());

  it('gives an expired access token 401 and a fresh one after msal refreshes', async () => {
    const { app, result } = await signIn(emulator);
    await sleep(1500);
    const err = await expectGraphError(
      graphClient(emulator, () => result.accessToken)
        .api('/me')
        .get(),
    );
    assert.equal(err.statusCode, 401);
    assert.equal(err.code, 'InvalidAuthenticationToken');
    assert.match(err.message, /Lifetime validation failed, the token is expired/);
    // expires_in below msal's 5-minute renewal offset: the silent call goes to the network and refreshes.
    const renewed = await app.acquireTokenSilent({ account: result.account!, scopes: GRAPH_SCOPES });
    const me = await graphClient(emulator, () => renewed.accessToken)
      .api('/me')
      .get();
    assert.equal(me.mail, 'demo@contoso.test');
  });
});
