// The token endpoint's failure modes, through the real msal-node: Entra throttling (429 + Retry-After) and
// brief unavailability (503 temporarily_unavailable) surface as retryable ServerErrors, Conditional Access
// asking for MFA on a refresh (AADSTS50076, suberror basic_action) as InteractionRequiredAuthError.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionRequiredAuthError, ServerError, type AuthenticationResult } from '@azure/msal-node';
import type { ConfidentialClientApplication } from '@azure/msal-node';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { GRAPH_SCOPES, signIn } from './support/msal';

describe('token endpoint faults', () => {
  let emulator: TestEmulator;
  let app: ConfidentialClientApplication;
  let signedIn: AuthenticationResult;
  const refresh = () =>
    app.acquireTokenSilent({ account: signedIn.account!, scopes: GRAPH_SCOPES, forceRefresh: true });

  before(async () => {
    emulator = await startTestEmulator();
    ({ app, result: signedIn } = await signIn(emulator));
  });
  after(async () => emulator.stop());

  async function rawTokenRequest(): Promise<Response> {
    return fetch(`${emulator.url}/${emulator.ctx.state.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'x', refresh_token: 'y' }),
    });
  }

  it('answers 429 with Retry-After; msal raises a ServerError and the next attempt after it succeeds', async () => {
    await emulator.control('PUT', '/token-faults', { kind: 'throttle', next: 2, retryAfterSeconds: 1 });
    const raw = await rawTokenRequest();
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '1');
    assert.equal(((await raw.json()) as { error: string }).error, 'temporarily_unavailable');

    await assert.rejects(refresh(), (err: unknown) => {
      assert.ok(err instanceof ServerError && !(err instanceof InteractionRequiredAuthError));
      assert.equal(err.errorCode, 'temporarily_unavailable');
      assert.match(err.errorMessage, /AADSTS90055/);
      return true;
    });
    // msal keeps the throttle for Retry-After seconds before it asks Entra again.
    await sleep(1100);
    const after = await refresh();
    assert.notEqual(after.accessToken, signedIn.accessToken);
  });

  it('answers 503 temporarily_unavailable; msal raises a ServerError', async () => {
    await emulator.control('PUT', '/token-faults', { kind: 'unavailable', next: 1, retryAfterSeconds: 1 });
    await assert.rejects(refresh(), (err: unknown) => {
      assert.ok(err instanceof ServerError && !(err instanceof InteractionRequiredAuthError));
      assert.equal(err.errorCode, 'temporarily_unavailable');
      assert.match(err.errorMessage, /AADSTS90024/);
      return true;
    });
    await sleep(1100);
    await refresh();
  });

  it('asks for MFA on a refresh; msal raises InteractionRequiredAuthError with basic_action and the claims challenge', async () => {
    await emulator.control('PUT', '/token-faults', {
      kind: 'interaction_required',
      next: 1,
      grantType: 'refresh_token',
    });
    await assert.rejects(refresh(), (err: unknown) => {
      assert.ok(err instanceof InteractionRequiredAuthError);
      assert.equal(err.errorCode, 'interaction_required');
      assert.equal(err.subError, 'basic_action');
      assert.match(err.errorMessage, /AADSTS50076/);
      assert.match(err.claims, /capolids/);
      return true;
    });
    await refresh();
  });

  it('fails a share of requests until the faults are cleared', async () => {
    const injected = async () =>
      (await emulator.control<{ injected: number }>('GET', '/token-faults')).injected;
    const before = await injected();
    await emulator.control('PUT', '/token-faults', { kind: 'unavailable', rate: 1, retryAfterSeconds: 0 });
    assert.equal((await rawTokenRequest()).status, 503);
    assert.equal((await rawTokenRequest()).status, 503);
    assert.equal(await injected(), before + 2);
    await emulator.control('DELETE', '/token-faults');
    assert.equal((await rawTokenRequest()).status, 400, 'the bogus request reaches the grant checks again');
  });
});
