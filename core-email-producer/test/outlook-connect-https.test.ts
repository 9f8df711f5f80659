// A deployment on https (what production requires): the browser-binding cookie is `__Host-`, so no sibling
// subdomain or plain-http response can plant one, and a connect completes with it. A producer of its own,
// registered at the emulator as an app whose redirect URI is https.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { RunningProducer, startProducer } from './support/app';
import { authorizeAndSignIn, emulatorControl, followRedirect, newMailbox } from './support/outlook';
import { apiClient, ApiClient, newUser } from './support/users';

const DASHBOARD = 'https://mail.example.test';
const REDIRECT_URI = 'https://mail.example.test/api/user/outlook/redirect';

let producer: RunningProducer;
let api: ApiClient;

before(async () => {
  const app = { clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') };
  await emulatorControl('POST', '/apps', { ...app, redirectUris: [REDIRECT_URI] });
  producer = await startProducer({
    DASHBOARD_URL: DASHBOARD,
    MS_CLIENT_ID: app.clientId,
    MS_CLIENT_SECRET: app.clientSecret,
    MS_REDIRECT_URI: REDIRECT_URI,
  });
  api = apiClient(producer.url);
});

after(async () => {
  await producer?.app.close();
});

function outcome(location: URL | null): string | null {
  if (!location) return null;
  const result = location.searchParams.get('outlook');
  return result === 'error' ? `error:${location.searchParams.get('reason')}` : result;
}

test('the binding cookie is __Host-: Secure, Path=/, no Domain, HttpOnly, SameSite=Lax', async () => {
  const user = await newUser(api);
  const started = await api.call('POST', '/api/outlook/connect', undefined, user.token);
  const setCookie = started.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^__Host-core_email_oauth=[\w-]{40,};/);
  assert.match(setCookie, /; Secure/);
  assert.match(setCookie, /; Path=\/;/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Lax/);
  assert.doesNotMatch(setCookie, /Domain=/i);
});

test('a connect completes with the __Host- cookie, and the plain name binds nothing', async () => {
  const user = await newUser(api);
  const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, await newMailbox());
  assert.match(cookie, /^__Host-core_email_oauth=/);
  // A cookie someone planted under the unprefixed name (any subdomain can) is not read over https.
  const planted = cookie.replace('__Host-', '');
  assert.equal(outcome((await followRedirect(redirectUrl, planted)).location), 'error:invalid_state');
  const done = await followRedirect(redirectUrl, cookie);
  assert.equal(outcome(done.location), 'connected');
  assert.equal(done.location?.origin, DASHBOARD);
});
