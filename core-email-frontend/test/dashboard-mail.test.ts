// The mailbox part of the dashboard (sync panel, folders, email table, paging, message, live events) in a
// real browser against the BUILT bundle, with a stand-in API that also serves GET /api/events so the test
// decides which Server-Sent Events arrive and when. The real pipeline is in e2e-sync.test.ts.
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
const PAGE_SIZE = 25; // the dashboard's page size (src/features/mail/api/get-messages.ts)

interface Row {
  id: string;
  folderId: string;
  subject: string;
  receivedAt: string;
}

/** 60 messages, newest first: 40 in the inbox, 20 archived. */
function mailbox(): Row[] {
  return Array.from({ length: 60 }, (_, i) => ({
    id: `m-${i}`,
    folderId: i % 3 === 2 ? 'archive' : 'inbox',
    subject: `Subject ${i}`,
    receivedAt: new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString(),
  }));
}

function summary(row: Row) {
  return {
    id: row.id,
    folderId: row.folderId,
    userName: 'Ada',
    sender: { name: 'Grace Hopper', address: 'grace@contoso.test' },
    from: { name: 'Grace Hopper', address: 'grace@contoso.test' },
    toRecipients: [{ name: 'Ada', address: 'ada@contoso.test' }],
    subject: row.subject,
    bodyPreview: `Preview of ${row.subject}`,
    importance: 'high',
    hasAttachments: row.id === 'm-0',
    isRead: false,
    flagStatus: 'notFlagged',
    receivedAt: row.receivedAt,
  };
}

let rows: Row[] = [];
let syncState: unknown;
let bodies: Record<string, { content: string; contentType: 'text' | 'html' }> = {};

/** The stand-in's messages endpoint: the cursor is simply the offset (the real one is opaque). */
function messagesPage(query: URLSearchParams) {
  const folderId = query.get('folderId');
  const limit = Number(query.get('limit') ?? 50);
  const offset = Number(query.get('cursor') ?? 0);
  const matching = rows.filter((r) => !folderId || r.folderId === folderId);
  const items = matching.slice(offset, offset + limit).map(summary);
  return { items, nextCursor: offset + limit < matching.length ? String(offset + limit) : null };
}

function folders() {
  const count = (id: string) => rows.filter((r) => r.folderId === id).length;
  return {
    items: [
      {
        id: 'inbox',
        parentId: null,
        name: 'Inbox',
        totalCount: count('inbox'),
        unreadCount: 3,
        storedCount: count('inbox'),
      },
      {
        id: 'archive',
        parentId: null,
        name: 'Archive',
        totalCount: count('archive'),
        unreadCount: 0,
        storedCount: count('archive'),
      },
    ],
  };
}

function answer(route: string, query: URLSearchParams): FakeAnswer | undefined {
  if (route === 'GET /api/health') return { status: 200, body: { status: 'ok', details: {} } };
  if (route === 'GET /api/me') return { status: 200, body: USER };
  if (route === 'GET /api/outlook')
    return { status: 200, body: { status: 'connected', address: 'ada@contoso.test' } };
  if (route === 'GET /api/mail/sync') return { status: 200, body: syncState };
  if (route === 'GET /api/mail/folders') return { status: 200, body: folders() };
  if (route === 'GET /api/mail/messages') return { status: 200, body: messagesPage(query) };
  if (route === 'POST /api/mail/resync') return { status: 202, body: { runId: RUN_2 } };
  const one = /^GET \/api\/mail\/messages\/(.+)$/.exec(route);
  const row = one && rows.find((r) => r.id === decodeURIComponent(one[1]));
  if (row) {
    return {
      status: 200,
      body: {
        ...summary(row),
        body: bodies[row.id] ?? { content: 'plain text body', contentType: 'text' },
        ccRecipients: [],
        bccRecipients: [],
        sentAt: row.receivedAt,
      },
    };
  }
  return undefined;
}

const RUN_1 = '11111111-1111-4111-8111-111111111111';
const RUN_2 = '22222222-2222-4222-8222-222222222222';

let api: FakeApi;
let dashboard: Dashboard;
let siteUrl: string;
let requests: FakeApi['requests'];

before(async () => {
  ({ api, dashboard } = await startDashboardOnFakeApi(({ route, query }) => answer(route, query)));
  requests = api.requests;
  siteUrl = dashboard.url;
});

after(async () => {
  await dashboard?.close();
});

beforeEach(() => {
  rows = mailbox();
  bodies = {};
  api.forgetRequests();
  syncState = {
    connection: 'connected',
    deliveryMode: 'push',
    run: {
      id: RUN_1,
      status: 'finished',
      mode: 'full',
      reason: 'connected',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      lastProgressAt: '2026-01-01T00:01:00.000Z',
      messagesSynced: 60,
      error: null,
    },
  };
});

async function openDashboard(): Promise<Page> {
  const page = await dashboard.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript((value) => sessionStorage.setItem('core-email.access-token', value), TOKEN);
  await page.goto(`${siteUrl}/`);
  await page.getByTestId('email-table').waitFor();
  return page;
}

async function subjects(page: Page): Promise<string[]> {
  return page.locator('[data-testid="email-table"] tbody td.email-subject').allTextContents();
}

test("the table shows the original's columns; Next and Previous page with the API's cursors", async () => {
  const page = await openDashboard();
  try {
    const headers = await page.locator('[data-testid="email-table"] thead th').allTextContents();
    assert.deepEqual(headers, [
      'User name',
      'Sender',
      'Recipient',
      'Subject',
      'Body preview',
      'Importance',
      'Attachments',
      'Read',
      'Received',
    ]);
    const first = page.locator('[data-testid="email-table"] tbody tr').first();
    assert.deepEqual((await first.locator('td').allTextContents()).slice(0, 8), [
      'Ada',
      'Grace Hopper',
      'Ada',
      'Subject 0',
      'Preview of Subject 0',
      'high',
      'Yes',
      'No',
    ]);
    assert.equal((await subjects(page)).length, PAGE_SIZE);

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Subject 25', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('page-number').textContent(), 'Page 2');
    const cursors = requests
      .filter((r) => r.route === 'GET /api/mail/messages')
      .map((r) => r.query.get('cursor'));
    // The first page may load twice (on mount, and again once the event stream is open, since events sent
    // before it opened would be missed); the second page is asked for with the cursor page one returned.
    assert.deepEqual([...new Set(cursors)], [null, String(PAGE_SIZE)]);

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Subject 59', { exact: true }).waitFor();
    assert.equal((await subjects(page)).length, 10);
    assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled(), 'no page after the last');

    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Subject 25', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Subject 0', { exact: true }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Previous' }).isDisabled());

    // A folder filters the table and starts at its first page.
    await page.getByRole('button', { name: /^Archive/ }).click();
    // Subject 2 is on the unfiltered first page too: wait for the filtered page to replace it.
    await page.getByText('Subject 0', { exact: true }).waitFor({ state: 'detached' });
    await page.getByText('Subject 2', { exact: true }).waitFor();
    assert.ok((await subjects(page)).every((s) => Number(s.split(' ')[1]) % 3 === 2));
    const last = requests.filter((r) => r.route === 'GET /api/mail/messages').at(-1);
    assert.equal(last?.query.get('folderId'), 'archive');
    assert.equal(last?.query.get('cursor'), null);
    assert.match((await page.getByTestId('folder-list').textContent()) ?? '', /Inbox40 \/ 40 · 3 unread/);
    await maybeScreenshot(page, 'mail-table');
  } finally {
    await page.close();
  }
});

test('the sync card says whether changes arrive live (push) or by polling', async () => {
  for (const [mode, text] of [
    ['push', /Live/],
    ['polling', /Polling/],
  ] as const) {
    syncState = { ...(syncState as object), deliveryMode: mode };
    const page = await openDashboard();
    try {
      assert.match((await page.getByTestId('delivery-mode').textContent()) ?? '', text);
    } finally {
      await page.close();
    }
  }
});

test('SSE: sync progress moves the bars; a finished run and a mail event reload the page; no polling', async () => {
  syncState = {
    connection: 'connected',
    deliveryMode: 'push',
    run: { ...(syncState as { run: object }).run, status: 'running', finishedAt: null, messagesSynced: 10 },
  };
  const page = await openDashboard();
  try {
    assert.equal(await page.getByTestId('sync-status').textContent(), 'Syncing…');
    const events = requests.find((r) => r.route === 'GET /api/events');
    assert.equal(events?.authorization, `Bearer ${TOKEN}`, 'the stream carries the token in a header');
    assert.equal([...(events?.query.keys() ?? [])].length, 0, 'and never in the URL');

    // The first load and the reload when the stream connects come first, in either order: wait for quiet.
    let before = api.count('GET /api/mail/messages');
    for (;;) {
      await page.waitForTimeout(500);
      if (api.count('GET /api/mail/messages') === before) break;
      before = api.count('GET /api/mail/messages');
    }
    api.push('sync', {
      runId: RUN_1,
      status: 'running',
      done: 30,
      total: 120,
      at: new Date().toISOString(),
      folders: [
        { folderId: 'inbox', name: 'Inbox', done: 20, total: 80 },
        { folderId: 'archive', name: 'Archive', done: 10, total: 40 },
      ],
    });
    await page.getByText('30 / 120 (25 %)').waitFor();
    await page.getByText('20 / 80 (25 %)').waitFor();
    await page.getByText('10 / 40 (25 %)').waitFor();
    assert.equal(await page.locator('[data-testid="sync-progress"] progress').getAttribute('value'), '30');
    await maybeScreenshot(page, 'mail-progress');

    // Nothing reloads while a sync only progresses, and nothing is polled.
    await page.waitForTimeout(1_500);
    assert.equal(api.count('GET /api/mail/messages'), before);

    rows.unshift({
      id: 'm-new',
      folderId: 'inbox',
      subject: 'Fresh off the sync',
      receivedAt: new Date(Date.UTC(2026, 0, 2)).toISOString(),
    });
    api.push('sync', {
      runId: RUN_1,
      status: 'finished',
      done: 61,
      total: 61,
      folders: [],
      at: new Date().toISOString(),
    });
    await page.getByText('Fresh off the sync', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('sync-status').textContent(), 'Synced');

    rows.unshift({
      id: 'm-live',
      folderId: 'inbox',
      subject: 'Pushed by a mail event',
      receivedAt: new Date(Date.UTC(2026, 0, 3)).toISOString(),
    });
    api.push('mail', { created: ['m-live'], updated: [], deleted: [], at: new Date().toISOString() });
    await page.getByText('Pushed by a mail event', { exact: true }).waitFor();
  } finally {
    await page.close();
  }
});

test('a stuck or failed run shows its reason; Resync and Full resync ask the API', async () => {
  const page = await openDashboard();
  try {
    api.push('sync', {
      runId: RUN_1,
      status: 'stuck',
      done: 5,
      total: 60,
      folders: [],
      error: 'no progress for 300 s',
      at: new Date().toISOString(),
    });
    await page.getByTestId('sync-error').waitFor();
    assert.equal(await page.getByTestId('sync-status').textContent(), 'Sync stuck');
    assert.match((await page.getByTestId('sync-error').textContent()) ?? '', /no progress for 300 s/);

    api.push('sync', {
      runId: RUN_1,
      status: 'failed',
      done: 5,
      total: 60,
      folders: [],
      error: 'reauth_required',
      at: new Date().toISOString(),
    });
    await page.getByText('Reason: reauth_required').waitFor();

    await page.getByRole('button', { name: 'Resync', exact: true }).click();
    await page.getByText('Syncing…').waitFor();
    await page.getByRole('button', { name: 'Full resync' }).click();
    while (api.count('POST /api/mail/resync') < 2) await page.waitForTimeout(50);
    const sent = requests.filter((r) => r.route === 'POST /api/mail/resync').map((r) => JSON.parse(r.body));
    assert.deepEqual(sent, [{ mode: 'incremental' }, { mode: 'full' }]);
    assert.ok(
      requests
        .filter((r) => r.route === 'POST /api/mail/resync')
        .every((r) => r.authorization === `Bearer ${TOKEN}`),
    );
  } finally {
    await page.close();
  }
});

test('a row opens the message: text as text, HTML in a sandboxed frame where scripts do not run', async () => {
  bodies['m-1'] = {
    contentType: 'html',
    content:
      '<p id="greeting">Hello <b>there</b></p><script>document.body.setAttribute("data-ran", "yes")</script>',
  };
  bodies['m-0'] = { contentType: 'text', content: 'Line one\n<b>not bold</b>' };
  const page = await openDashboard();
  try {
    await page.getByText('Subject 0', { exact: true }).click();
    await page.getByTestId('message-text').waitFor();
    assert.equal(await page.getByTestId('message-text').textContent(), 'Line one\n<b>not bold</b>');

    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByText('Subject 1', { exact: true }).click();
    const frame = page.getByTestId('message-html');
    await frame.waitFor();
    assert.equal(await frame.getAttribute('sandbox'), '', 'no permissions: no scripts, forms or popups');
    const inner = page.frameLocator('[data-testid="message-html"]');
    assert.equal(await inner.locator('#greeting').textContent(), 'Hello there');
    assert.equal(await inner.locator('body').getAttribute('data-ran'), null, 'the script did not run');
    await maybeScreenshot(page, 'mail-message');
  } finally {
    await page.close();
  }
});
