// Connect Outlook, end to end: the built dashboard in Chromium, the REAL producer (a child process on port
// 3000, the redirect URI the emulator has registered) over the real local stack, and the REAL graph
// emulator's sign-in and consent pages. Sign up → log in → Connect Outlook → sign in at the emulator →
// back on the dashboard "Connected as <address>"; and Cancel at the emulator → the access_denied error.
//
// Needs: the local stack up and migrated, its environment (`npm test` sources scripts/local-env.sh), the
// producer built (npm run build:ts), the dashboard built (npm run -w core-email-frontend build), Chromium at
// /usr/bin/chromium, and port 3000 free.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { maybeScreenshot } from './support/browser.js';
import { Dashboard } from './support/dashboard.js';
import { EMULATOR, emulatorControl, startDashboardAndProducer } from './support/end-to-end.js';
import { RunningProducer } from './support/producer.js';

const STEP_TIMEOUT = 30_000;

const runId = randomBytes(4).toString('hex');

/**
 * A mailbox of our own in the emulator, made for this run through its control API (loopback-only). Not the
 * seeded demo@contoso.test: a Microsoft account can be linked to one user only, so once any earlier run (or
 * someone trying `npm start`) connected the demo mailbox, a new user connecting it is rightly refused with
 * account_linked_elsewhere.
 */
const MAILBOX = {
  address: `e2e-${runId}@contoso.test`,
  password: `pw-${runId}-mailbox`,
  displayName: 'E2E User',
};

let dashboard: Dashboard | undefined;
let browser: Browser;
let siteUrl: string;
let producer: RunningProducer | undefined;
/** Accounts this run created, deleted again at the end. */
const created: Array<{ email: string; token: string; password: string }> = [];

async function createMailbox(): Promise<void> {
  const response = await emulatorControl('POST', '/mailboxes', MAILBOX);
  assert.equal(response.status, 201, `creating the emulator mailbox: ${await response.text()}`);
}

before(async () => {
  ({ dashboard, producer } = await startDashboardAndProducer());
  ({ browser, url: siteUrl } = dashboard);
  await createMailbox();
});

after(async () => {
  // Leave no accounts behind: DELETE /api/me removes the user with their Outlook link.
  for (const { token, password } of created) {
    await fetch(`${producer?.url}/api/me`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password }),
    }).catch((error: unknown) => console.warn('could not delete a test account', error));
  }
  await producer?.stop();
  await dashboard?.close();
});

/**
 * A fresh browser context per test (no cookies from the emulator's earlier sign-ins). It accepts the
 * emulator's self-signed certificate: the emulator's CA is local to this checkout and not in Chromium's
 * store, and Chromium cannot be told to trust one origin only. Acceptable in a test; users of the real
 * system go to login.microsoftonline.com, which has a public certificate.
 */
async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1000, height: 760 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  return { context, page };
}

/** Signs a fresh user up and logs in through the pages; ends on the dashboard. */
async function signUpAndLogIn(page: Page, label: string): Promise<void> {
  const email = `e2e-${runId}-${label}@example.test`;
  const password = `Pw ${randomBytes(6).toString('hex')}!`;
  await page.goto(`${siteUrl}/sign-up`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('User name').fill(`E2E ${label}`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();

  await page.getByTestId('signed-up').waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
  assert.match(
    (await page.getByTestId('signed-in-as').textContent()) ?? '',
    new RegExp(email.replace(/\./g, '\\.')),
  );

  const token = await page.evaluate(() => sessionStorage.getItem('core-email.access-token'));
  assert.ok(token, 'the session token is in sessionStorage');
  created.push({ email, token, password });
}

/** Clicks Connect Outlook and waits for the emulator's sign-in form. */
async function goToMicrosoftSignIn(page: Page): Promise<void> {
  await Promise.all([
    page.waitForURL((url) => url.origin === EMULATOR),
    page.getByRole('button', { name: 'Connect Outlook' }).click(),
  ]);
  await page.locator('form#signin').waitFor();
}

function failureContext(): string {
  return `\nproducer output (tail):\n${producer?.output().trim().split('\n').slice(-15).join('\n')}`;
}

test("the real API's validation messages appear next to their fields", { timeout: 60_000 }, async () => {
  const { context, page } = await newContext();
  try {
    await page.goto(`${siteUrl}/sign-up`);
    await page.getByLabel('Email').fill('not an email');
    await page.getByLabel('User name').fill('E2E validation');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('error-password').waitFor();
    assert.match((await page.getByTestId('error-password').textContent()) ?? '', /at least 8 characters/);
    assert.match((await page.getByTestId('error-email').textContent()) ?? '', /email/);
    assert.equal(await page.getByTestId('error-userName').count(), 0);
  } finally {
    await context.close();
  }
});

test(
  'sign up → log in → Connect Outlook → emulator sign-in and consent → "Connected as <address>"',
  { timeout: 120_000 },
  async () => {
    const { context, page } = await newContext();
    try {
      await signUpAndLogIn(page, 'connect');
      await goToMicrosoftSignIn(page);
      await maybeScreenshot(page, 'e2e-emulator-sign-in');
      await page.locator('input[name="username"]').fill(MAILBOX.address);
      await page.locator('input[name="password"]').fill(MAILBOX.password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      // A new user and app get the consent page; Accept sends the browser through the producer's redirect.
      await page.locator('form#consent').waitFor();
      await maybeScreenshot(page, 'e2e-emulator-consent');
      await Promise.all([
        page.waitForURL((url) => url.origin === new URL(siteUrl).origin),
        page.getByRole('button', { name: 'Accept' }).click(),
      ]);

      const banner = page.getByTestId('outlook-outcome');
      await banner.waitFor().catch((error: unknown) => {
        throw new Error(`no outcome banner on ${page.url()}: ${String(error)}${failureContext()}`);
      });
      assert.equal(
        await banner.getAttribute('data-tone'),
        'success',
        `banner: ${await banner.textContent()}${failureContext()}`,
      );
      await page.getByTestId('outlook-connected').waitFor();
      assert.match(
        (await page.getByTestId('outlook-connected').textContent()) ?? '',
        new RegExp(`^Connected as ${MAILBOX.address.replace(/\./g, '\\.')}`),
      );
      assert.equal(new URL(page.url()).search, '', 'the outcome is cleaned from the address bar');
      await maybeScreenshot(page, 'e2e-connected');

      // The dashboard's state comes from the API: a reload shows the same connection, without the banner.
      await page.reload();
      await page.getByTestId('outlook-connected').waitFor();
      assert.equal(await page.getByTestId('outlook-outcome').count(), 0);

      // Disconnect through the real API: the card offers Connect Outlook again, and so does a reload.
      await page.getByRole('button', { name: 'Disconnect' }).click();
      await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
      await page.reload();
      await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
      assert.notEqual(await page.getByTestId('outlook-status').textContent(), 'Connected');
    } finally {
      await context.close();
    }
  },
);

test(
  'Cancel at the emulator sign-in → back on the dashboard with the access_denied error',
  { timeout: 120_000 },
  async () => {
    const { context, page } = await newContext();
    try {
      await signUpAndLogIn(page, 'cancel');
      await goToMicrosoftSignIn(page);
      await Promise.all([
        page.waitForURL((url) => url.origin === new URL(siteUrl).origin),
        page.getByRole('button', { name: 'Cancel' }).click(),
      ]);

      const banner = page.getByTestId('outlook-outcome');
      await banner.waitFor();
      assert.equal(await banner.getAttribute('data-tone'), 'error', `banner: ${await banner.textContent()}`);
      assert.match((await banner.textContent()) ?? '', /Outlook was not connected\./);
      assert.equal(await page.getByTestId('outlook-outcome-reason').textContent(), '(access_denied)');
      // Nothing was stored: still not connected.
      await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
      assert.equal(await page.getByTestId('outlook-status').textContent(), 'Not connected');
      await maybeScreenshot(page, 'e2e-cancelled');

      // Delete the account through the page: back on log-in, and its credentials no longer work.
      const { email, password } = created[created.length - 1];
      await page.locator('summary', { hasText: 'Delete account' }).click();
      await page.getByRole('form', { name: 'Delete account' }).getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await page.getByTestId('session-notice').waitFor();
      assert.equal(new URL(page.url()).pathname, '/log-in');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('form-error').waitFor();
      assert.equal(new URL(page.url()).pathname, '/log-in');
    } finally {
      await context.close();
    }
  },
);
