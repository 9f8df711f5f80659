// The dashboard's pages in a real browser against the BUILT bundle, with a small HTTP server standing in for
// the producer. That stand-in is only for pure UI behaviour (what the page shows for a given answer); the
// same flows against the real producer and the emulator are in e2e-connect.test.ts.
//
// Needs: `npm run -w core-email-frontend build` and Chromium at /usr/bin/chromium.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Page } from 'playwright-core';
import { maybeScreenshot } from './support/browser.js';
import { Dashboard } from './support/dashboard.js';
import { FakeAnswer, FakeApi, startDashboardOnFakeApi } from './support/fake-api.js';

const USER = { id: 'u-1', email: 'ada@example.test', userName: 'Ada', createdAt: '2026-01-02T03:04:05.000Z' };
const TOKEN = 'token-from-an-earlier-log-in';

/** What the stand-in API answers: `answers["POST /api/auth/log-in"]`; anything else is a 404. */
let answers: Record<string, FakeAnswer> = {};

let api: FakeApi;
let dashboard: Dashboard;
let siteUrl: string;
let requests: FakeApi['requests'];

before(async () => {
  ({ api, dashboard } = await startDashboardOnFakeApi(({ route }) => answers[route]));
  requests = api.requests;
  siteUrl = dashboard.url;
});

after(async () => {
  await dashboard?.close();
});

beforeEach(() => {
  api.forgetRequests();
  answers = {
    // The health panel is on every page; a healthy answer keeps it out of the way.
    'GET /api/health': { status: 200, body: { status: 'ok', details: {} } },
  };
});

/** Opens `path` in a fresh tab; with `token`, as a tab that logged in earlier (sessionStorage holds it). */
async function open(path: string, { token }: { token?: string } = {}): Promise<Page> {
  const page = await dashboard.browser.newPage({ viewport: { width: 1000, height: 720 } });
  if (token) {
    await page.addInitScript((value) => sessionStorage.setItem('core-email.access-token', value), token);
  }
  await page.goto(`${siteUrl}${path}`);
  return page;
}

test('sign-up shows each validation message next to its field and the rest as a form error', async () => {
  answers['POST /api/auth/sign-up'] = {
    status: 400,
    body: {
      statusCode: 400,
      error: 'Bad Request',
      message: [
        'email: must be an email address',
        'password: must be at least 8 characters',
        'Something else went wrong',
      ],
    },
  };
  const page = await open('/sign-up');
  try {
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('User name').fill('Ada');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByTestId('error-email').waitFor();
    assert.equal(await page.getByTestId('error-email').textContent(), 'must be an email address');
    assert.equal(await page.getByTestId('error-password').textContent(), 'must be at least 8 characters');
    assert.equal(
      await page.getByTestId('error-userName').count(),
      0,
      'no message for a field the API accepted',
    );
    assert.equal(await page.getByTestId('form-error').textContent(), 'Something else went wrong');
    // The message is tied to its input for screen readers.
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    const sent = JSON.parse(requests.find((r) => r.route === 'POST /api/auth/sign-up')?.body ?? '{}');
    assert.deepEqual(sent, { email: 'not-an-email', userName: 'Ada', password: 'short' });
    await maybeScreenshot(page, 'sign-up-errors');
  } finally {
    await page.close();
  }
});

test('a duplicate email (409) is a form error; a single string message works too', async () => {
  answers['POST /api/auth/sign-up'] = {
    status: 409,
    body: { statusCode: 409, error: 'Conflict', message: 'An account with this email already exists' },
  };
  const page = await open('/sign-up');
  try {
    await page.getByLabel('Email').fill('ada@example.test');
    await page.getByLabel('User name').fill('Ada');
    await page.getByLabel('Password').fill('long-enough-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('form-error').waitFor();
    assert.equal(
      await page.getByTestId('form-error').textContent(),
      'An account with this email already exists',
    );
  } finally {
    await page.close();
  }
});

test('sign-up leads to log-in with the email filled in; log-in opens the dashboard', async () => {
  answers['POST /api/auth/sign-up'] = { status: 201, body: { user: USER } };
  answers['POST /api/auth/log-in'] = {
    status: 200,
    body: { accessToken: 'fresh-token', tokenType: 'Bearer', expiresIn: 3600, user: USER },
  };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'not_connected' } };
  const page = await open('/sign-up');
  try {
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('User name').fill(USER.userName);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByTestId('signed-up').waitFor();
    assert.equal(new URL(page.url()).pathname, '/log-in');
    assert.equal(await page.getByLabel('Email').inputValue(), USER.email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match((await page.getByTestId('signed-in-as').textContent()) ?? '', /Ada/);
    const outlookCall = requests.find((r) => r.route === 'GET /api/outlook');
    assert.equal(outlookCall?.authorization, 'Bearer fresh-token', 'the token goes as a Bearer header');
    await maybeScreenshot(page, 'dashboard-not-connected');
  } finally {
    await page.close();
  }
});

test('wrong credentials (401 at log-in) are a form error, not a redirect', async () => {
  answers['POST /api/auth/log-in'] = {
    status: 401,
    body: { statusCode: 401, error: 'Unauthorized', message: 'Wrong email or password' },
  };
  const page = await open('/log-in');
  try {
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('form-error').waitFor();
    assert.equal(await page.getByTestId('form-error').textContent(), 'Wrong email or password');
  } finally {
    await page.close();
  }
});

test('throttled log-in (429) says when to try again, from Retry-After', async () => {
  answers['POST /api/auth/log-in'] = {
    status: 429,
    headers: { 'retry-after': '42' },
    body: { statusCode: 429, error: 'Too Many Requests', message: 'ThrottlerException: Too Many Requests' },
  };
  const page = await open('/log-in');
  try {
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('whatever-it-is');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('form-error').waitFor();
    assert.equal(
      await page.getByTestId('form-error').textContent(),
      'Too many attempts. Try again in 42 seconds.',
    );
  } finally {
    await page.close();
  }
});

test('the dashboard without a session goes to log-in', async () => {
  const page = await open('/');
  try {
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/log-in');
    assert.equal(requests.filter((r) => r.route === 'GET /api/me').length, 0);
  } finally {
    await page.close();
  }
});

test('a 401 on /api/me (expired or revoked session) clears the token and goes to log-in', async () => {
  answers['GET /api/me'] = {
    status: 401,
    body: { statusCode: 401, error: 'Unauthorized', message: 'Session expired' },
  };
  const page = await open('/', { token: TOKEN });
  try {
    await page.getByTestId('session-notice').waitFor();
    assert.equal(new URL(page.url()).pathname, '/log-in');
    assert.match((await page.getByTestId('session-notice').textContent()) ?? '', /session has ended/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('core-email.access-token')), null);
    assert.equal(requests.find((r) => r.route === 'GET /api/me')?.authorization, `Bearer ${TOKEN}`);
    await maybeScreenshot(page, 'session-ended');
  } finally {
    await page.close();
  }
});

test('a 401 on a later call (the Outlook state) also ends the session', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = {
    status: 401,
    body: { statusCode: 401, error: 'Unauthorized', message: 'revoked' },
  };
  const page = await open('/', { token: TOKEN });
  try {
    await page.getByTestId('session-notice').waitFor();
    assert.equal(new URL(page.url()).pathname, '/log-in');
  } finally {
    await page.close();
  }
});

test('connected shows the address and Disconnect; Disconnect asks the API and shows the new state', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = {
    status: 200,
    body: { status: 'connected', address: 'ada@contoso.test', connectedAt: '2026-01-02T03:04:05.000Z' },
  };
  answers['DELETE /api/outlook'] = { status: 204 };
  const page = await open('/', { token: TOKEN });
  try {
    await page.getByTestId('outlook-connected').waitFor();
    assert.match(
      (await page.getByTestId('outlook-connected').textContent()) ?? '',
      /^Connected as ada@contoso\.test/,
    );
    await maybeScreenshot(page, 'dashboard-connected');
    answers['GET /api/outlook'] = {
      status: 200,
      body: { status: 'disconnected', address: 'ada@contoso.test' },
    };
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
    assert.ok(requests.some((r) => r.route === 'DELETE /api/outlook'));
  } finally {
    await page.close();
  }
});

test('reauth_required shows "Needs reconnect" and a Reconnect button that starts the connect flow', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = {
    status: 200,
    body: { status: 'reauth_required', address: 'ada@contoso.test' },
  };
  answers['POST /api/outlook/connect'] = {
    status: 200,
    body: { authorizeUrl: `${siteUrl}/pretend-microsoft-sign-in?state=abc` },
  };
  const page = await open('/', { token: TOKEN });
  // Microsoft's page stands in as a page of its own: left to the static site, the app's index.html would
  // load there and route the unknown path to /, racing the assertion on the URL.
  await page.route(/\/pretend-microsoft-sign-in/, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Microsoft sign-in</title>' }),
  );
  try {
    await page.getByRole('button', { name: 'Reconnect' }).waitFor();
    assert.equal(await page.getByTestId('outlook-status').textContent(), 'Needs reconnect');
    await maybeScreenshot(page, 'dashboard-reauth');
    await Promise.all([
      page.waitForURL(/pretend-microsoft-sign-in/),
      page.getByRole('button', { name: 'Reconnect' }).click(),
    ]);
    assert.equal(
      new URL(page.url()).searchParams.get('state'),
      'abc',
      'the browser went to the authorize URL',
    );
  } finally {
    await page.close();
  }
});

test('after ?outlook=error&reason=access_denied: an error banner, and the query string is cleaned', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'not_connected' } };
  const page = await open('/?outlook=error&reason=access_denied', { token: TOKEN });
  try {
    const banner = page.getByTestId('outlook-outcome');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-tone'), 'error');
    assert.match((await banner.textContent()) ?? '', /Outlook was not connected\..*cancelled/);
    assert.equal(await page.getByTestId('outlook-outcome-reason').textContent(), '(access_denied)');
    assert.equal(new URL(page.url()).search, '', 'the outcome is not left in the address bar');
    await maybeScreenshot(page, 'outcome-access-denied');
    // The next log-in in this tab does not show it again.
    answers['POST /api/auth/log-out'] = { status: 204 };
    answers['POST /api/auth/log-in'] = {
      status: 200,
      body: { accessToken: 'next-token', tokenType: 'Bearer', expiresIn: 3600, user: USER },
    };
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
    assert.equal(await page.getByTestId('outlook-outcome').count(), 0, 'not shown after logging in again');

    await page.reload();
    await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
    assert.equal(await page.getByTestId('outlook-outcome').count(), 0, 'nor does a reload');
  } finally {
    await page.close();
  }
});

test('after ?outlook=connected: a success banner', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'connected', address: 'ada@contoso.test' } };
  const page = await open('/?outlook=connected', { token: TOKEN });
  try {
    const banner = page.getByTestId('outlook-outcome');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-tone'), 'success');
    assert.match((await banner.textContent()) ?? '', /Outlook connected\./);
    await page.getByTestId('outlook-connected').waitFor();
    await maybeScreenshot(page, 'outcome-connected');
  } finally {
    await page.close();
  }
});

test('log-out tells the API, forgets the token and goes to log-in', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'not_connected' } };
  answers['POST /api/auth/log-out'] = { status: 204 };
  const page = await open('/', { token: TOKEN });
  try {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('session-notice').waitFor();
    assert.equal(new URL(page.url()).pathname, '/log-in');
    assert.equal(
      requests.find((r) => r.route === 'POST /api/auth/log-out')?.authorization,
      `Bearer ${TOKEN}`,
    );
    assert.equal(await page.evaluate(() => sessionStorage.getItem('core-email.access-token')), null);
  } finally {
    await page.close();
  }
});

test('change password: a wrong current password is a field error and keeps the session', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'not_connected' } };
  answers['PUT /api/me/password'] = {
    status: 401,
    body: { statusCode: 401, error: 'Unauthorized', message: 'currentPassword: is wrong' },
  };
  const page = await open('/', { token: TOKEN });
  try {
    await page.locator('summary', { hasText: 'Change password' }).click();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('error-currentPassword').waitFor();
    assert.equal(await page.getByTestId('error-currentPassword').textContent(), 'is wrong');
    assert.equal(new URL(page.url()).pathname, '/', 'still on the dashboard');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('core-email.access-token')), TOKEN);
  } finally {
    await page.close();
  }
});

test('change password: success keeps this tab signed in with the new token', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'not_connected' } };
  answers['PUT /api/me/password'] = {
    status: 200,
    body: { accessToken: 'token-after-change', tokenType: 'Bearer', expiresIn: 3600, user: USER },
  };
  const page = await open('/', { token: TOKEN });
  try {
    await page.locator('summary', { hasText: 'Change password' }).click();
    await page.getByLabel('Current password').fill('old password!');
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('password-changed').waitFor();
    assert.equal(
      await page.evaluate(() => sessionStorage.getItem('core-email.access-token')),
      'token-after-change',
    );
    const sent = JSON.parse(requests.find((r) => r.route === 'PUT /api/me/password')?.body ?? '{}');
    assert.deepEqual(sent, { currentPassword: 'old password!', newPassword: 'a brand new password' });
    await maybeScreenshot(page, 'password-changed');
  } finally {
    await page.close();
  }
});

test('delete account: asks for the password, then goes to log-in saying it was deleted', async () => {
  answers['GET /api/me'] = { status: 200, body: USER };
  answers['GET /api/outlook'] = { status: 200, body: { status: 'not_connected' } };
  answers['DELETE /api/me'] = { status: 204 };
  const page = await open('/', { token: TOKEN });
  try {
    await page.locator('summary', { hasText: 'Delete account' }).click();
    await page.getByRole('form', { name: 'Delete account' }).getByLabel('Password').fill('my password');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByTestId('session-notice').waitFor();
    assert.match((await page.getByTestId('session-notice').textContent()) ?? '', /deleted/);
    assert.equal(new URL(page.url()).pathname, '/log-in');
    const sent = JSON.parse(requests.find((r) => r.route === 'DELETE /api/me')?.body ?? '{}');
    assert.deepEqual(sent, { password: 'my password' });
  } finally {
    await page.close();
  }
});

test('the dashboard runs no injected inline script, sends its CSP, and cannot be framed', async () => {
  const page = await dashboard.browser.newPage();
  const response = await page.goto(`${siteUrl}/log-in`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response?.headers()['x-frame-options'], 'DENY');
  await page.getByLabel('Email').waitFor();
  // What an HTML injection would do: add an inline script to the page.
  const outcome = await page.evaluate(
    () =>
      new Promise<{ ran: boolean; refused: string }>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) =>
          resolve({ ran: 'injected' in window, refused: e.violatedDirective }),
        );
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.append(script);
        setTimeout(() => resolve({ ran: 'injected' in window, refused: '' }), 2_000);
      }),
  );
  assert.equal(outcome.ran, false, 'the injected script ran');
  assert.match(outcome.refused, /^script-src/, 'the browser reported the refusal');
  await page.close();
});
