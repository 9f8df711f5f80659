// Mailbox sync, end to end: the built dashboard in Chromium, the REAL producer (child process on port 3000,
// the redirect URI the emulator has registered) and the REAL consumer (child process, a consumer group of
// its own), over the local stack and the graph emulator. Connect → the progress bar → the table shows the
// mailbox's messages → a message delivered afterwards appears after Resync.
//
// Needs what e2e-connect.test.ts needs (stack up and migrated, its environment, everything built, Chromium,
// port 3000 free).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { maybeScreenshot } from './support/browser.js';
import { Dashboard } from './support/dashboard.js';
import { EMULATOR, emulatorControl, startDashboardAndProducer } from './support/end-to-end.js';
import { RunningProducer } from './support/producer.js';

const CONSUMER_MAIN = fileURLToPath(new URL('../../core-email-consumer/dist/src/main.js', import.meta.url));
const SEEDED = 300;
const SYNC_TIMEOUT = 180_000;

const runId = randomBytes(4).toString('hex');
const MAILBOX = {
  address: `e2e-sync-${runId}@contoso.test`,
  password: `pw-${runId}-mailbox`,
  displayName: 'E2E Sync',
};
const ACCOUNT = {
  email: `e2e-sync-${runId}@example.test`,
  password: `Pw ${randomBytes(6).toString('hex')}!`,
};

let dashboard: Dashboard | undefined;
let browser: Browser;
let siteUrl: string;
let producer: RunningProducer | undefined;
let consumer: ChildProcess | undefined;
let consumerOutput = '';
let token: string | null = null;

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await emulatorControl(method, path, body);
  const text = await res.text();
  assert.ok(res.ok, `emulator ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * A fresh consumer group would start at the beginning of sync_email, behind older jobs of other tests'
 * users. Its offsets are committed at the topic's end before it joins, so it starts with our jobs.
 */
async function groupAtTopicEnd(groupId: string): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const admin = new Kafka({ clientId: 'e2e-sync', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets('sync_email');
    await admin.setOffsets({
      groupId,
      topic: 'sync_email',
      partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The real consumer, healthy (its health server answers) before the test goes on. */
async function startConsumer(): Promise<void> {
  const groupId = `e2e-sync-${runId}`;
  await groupAtTopicEnd(groupId);
  const healthPort = await freePort();
  consumer = spawn(process.execPath, [CONSUMER_MAIN], {
    env: { ...process.env, KAFKA_GROUP_ID: groupId, HEALTH_PORT: String(healthPort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  consumer.stdout?.on('data', (chunk: Buffer) => (consumerOutput += chunk.toString()));
  consumer.stderr?.on('data', (chunk: Buffer) => (consumerOutput += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (consumer.exitCode !== null) throw new Error(`the consumer exited:\n${consumerOutput}`);
    const up = await fetch(`http://127.0.0.1:${healthPort}/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the consumer did not start within 60 s:\n${consumerOutput}`);
}

async function stopConsumer(): Promise<void> {
  if (!consumer || consumer.exitCode !== null || consumer.signalCode !== null) return;
  const exited = new Promise((r) => consumer!.once('exit', r));
  consumer.kill('SIGTERM');
  const timer = setTimeout(() => consumer?.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  ({ dashboard, producer } = await startDashboardAndProducer());
  ({ browser, url: siteUrl } = dashboard);
  await control('POST', '/mailboxes', MAILBOX);
  await control('POST', `/mailboxes/${encodeURIComponent(MAILBOX.address)}/seed`, { messages: SEEDED });
  await startConsumer();
});

after(async () => {
  if (token) {
    await fetch(`${producer?.url}/api/me`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: ACCOUNT.password }),
    }).catch((error: unknown) => console.warn('could not delete the test account', error));
  }
  await stopConsumer();
  await producer?.stop();
  await dashboard?.close();
});

function tails(): string {
  const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n');
  return `\nproducer (tail):\n${tail(producer?.output() ?? '')}\nconsumer (tail):\n${tail(consumerOutput)}`;
}

async function signUpLogInAndConnect(page: Page): Promise<void> {
  await page.goto(`${siteUrl}/sign-up`);
  await page.getByLabel('Email').fill(ACCOUNT.email);
  await page.getByLabel('User name').fill('E2E Sync');
  await page.getByLabel('Password').fill(ACCOUNT.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-up').waitFor();
  await page.getByLabel('Password').fill(ACCOUNT.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Connect Outlook' }).waitFor();
  token = await page.evaluate(() => sessionStorage.getItem('core-email.access-token'));

  await Promise.all([
    page.waitForURL((url) => url.origin === EMULATOR),
    page.getByRole('button', { name: 'Connect Outlook' }).click(),
  ]);
  await page.locator('input[name="username"]').fill(MAILBOX.address);
  await page.locator('input[name="password"]').fill(MAILBOX.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('form#consent').waitFor();
  await Promise.all([
    page.waitForURL((url) => url.origin === new URL(siteUrl).origin),
    page.getByRole('button', { name: 'Accept' }).click(),
  ]);
  await page.getByTestId('outlook-connected').waitFor();
}

test(
  'connect → progress bar → the table shows the mailbox → a new message appears after Resync',
  { timeout: 2 * SYNC_TIMEOUT + 120_000 },
  async () => {
    const context: BrowserContext = await browser.newContext({
      ignoreHTTPSErrors: true, // the emulator's self-signed certificate (see e2e-connect.test.ts)
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await signUpLogInAndConnect(page);

      // The sync panel and its bar appear as soon as the run is known (GET /api/mail/sync or a sync event).
      await page.getByTestId('sync-progress').waitFor();
      await maybeScreenshot(page, 'e2e-sync-progress');
      await page
        .getByTestId('sync-status')
        .filter({ hasText: 'Synced' })
        .waitFor({ timeout: SYNC_TIMEOUT })
        .catch((error: unknown) => {
          throw new Error(`the sync did not finish: ${String(error)}${tails()}`);
        });
      assert.match((await page.getByTestId('sync-progress-count').textContent()) ?? '', /^(\d+) \/ \1 /);

      // The Inbox's newest message (the emulator's own state) heads the table filtered by Inbox.
      const inbox = await control<{ value: Array<{ subject: string; receivedDateTime: string }> }>(
        'GET',
        `/mailboxes/${encodeURIComponent(MAILBOX.address)}/folders/inbox/messages`,
      );
      const newest = [...inbox.value].sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime))[0];
      await page.getByRole('button', { name: /^Inbox/ }).click();
      await page
        .locator('[data-testid="email-table"] tbody tr')
        .first()
        .locator('td.email-subject')
        .filter({ hasText: newest.subject })
        .waitFor();
      const folders = (await page.getByTestId('folder-list').textContent()) ?? '';
      assert.match(folders, new RegExp(`Inbox${inbox.value.length} / ${inbox.value.length}`));
      await maybeScreenshot(page, 'e2e-sync-table');

      // Something new at Microsoft; Resync brings it in.
      const subject = `Delivered after the sync ${runId}`;
      await control('POST', `/mailboxes/${encodeURIComponent(MAILBOX.address)}/messages`, {
        subject,
        bodyHtml: '<p>Hello from the end-to-end test</p>',
        from: { name: 'E2E Sender', address: 'sender@contoso.test' },
      });
      await page.getByRole('button', { name: 'Resync', exact: true }).click();
      await page
        .getByText(subject, { exact: true })
        .waitFor({ timeout: SYNC_TIMEOUT })
        .catch((error: unknown) => {
          throw new Error(`the new message did not appear: ${String(error)}${tails()}`);
        });
      await page.getByTestId('sync-status').filter({ hasText: 'Synced' }).waitFor({ timeout: SYNC_TIMEOUT });

      // And it opens, its HTML body in the sandboxed frame.
      await page.getByText(subject, { exact: true }).click();
      const body = page.frameLocator('[data-testid="message-html"]');
      await body.getByText('Hello from the end-to-end test').waitFor();
      await maybeScreenshot(page, 'e2e-sync-resync');
    } finally {
      await context.close();
    }
  },
);
