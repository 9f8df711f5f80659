// The completeness audit on the dashboard, in a real browser against the BUILT bundle and a stand-in API:
// "Check now" asks for an audit, the dashboard waits for it (polling only while it is pending), and then each
// folder shows what the audit proved and the Sync card when the mailbox was last proven complete. The audit
// itself is tested against the real stack in core-email-consumer/test/mailbox-audit.test.ts.
//
// Needs: `npm run -w core-email-frontend build` and Chromium at /usr/bin/chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot } from './support/browser.js';
import { Dashboard } from './support/dashboard.js';
import { FakeAnswer, startDashboardOnFakeApi } from './support/fake-api.js';

const USER = { id: 'u-1', email: 'ada@example.test', userName: 'Ada', createdAt: '2026-01-02T03:04:05.000Z' };
const CHECKED = '2026-01-05T10:00:00.000Z';

const folder = (id: string, name: string) => ({
  id,
  parentId: null,
  name,
  totalCount: 4,
  unreadCount: 0,
  storedCount: 4,
});

const audited = (folderId: string, name: string, found: Record<string, number | string>) => ({
  folderId,
  name,
  checkedAt: CHECKED,
  stored: 4,
  atGraph: 4,
  missing: 0,
  extra: 0,
  stale: 0,
  repaired: 0,
  status: 'complete',
  error: null,
  ...found,
});

const NO_AUDIT = {
  requestedAt: null,
  lastProvenCompleteAt: null,
  checkedAt: null,
  status: null,
  folders: [],
};
let audit: unknown = NO_AUDIT;
let auditPolls = 0;

function answer(route: string): FakeAnswer | undefined {
  switch (route) {
    case 'GET /api/health':
      return { status: 200, body: { status: 'ok', details: {} } };
    case 'GET /api/me':
      return { status: 200, body: USER };
    case 'GET /api/outlook':
      return { status: 200, body: { status: 'connected', address: 'ada@contoso.test' } };
    case 'GET /api/mail/sync':
      return { status: 200, body: { connection: 'connected', deliveryMode: 'push', run: null } };
    case 'GET /api/mail/folders':
      return { status: 200, body: { items: [folder('inbox', 'Inbox'), folder('archive', 'Archive')] } };
    case 'GET /api/mail/messages':
      return { status: 200, body: { items: [], nextCursor: null } };
    case 'POST /api/mail/audit':
      audit = { ...NO_AUDIT, requestedAt: new Date().toISOString() };
      auditPolls = 0;
      return { status: 202, body: { requestedAt: new Date().toISOString(), alreadyPending: false } };
    case 'GET /api/mail/audit':
      // The audit "ends" after a couple of polls: one folder was intact, one needed repairs.
      if ((audit as { requestedAt: string | null }).requestedAt && ++auditPolls >= 3) {
        audit = {
          requestedAt: null,
          lastProvenCompleteAt: CHECKED,
          checkedAt: CHECKED,
          status: 'repaired',
          folders: [
            audited('archive', 'Archive', { missing: 2, extra: 1, repaired: 3, status: 'repaired' }),
            audited('inbox', 'Inbox', {}),
          ],
        };
      }
      return { status: 200, body: audit };
  }
  return undefined;
}

let dashboard: Dashboard;

before(async () => {
  ({ dashboard } = await startDashboardOnFakeApi(({ route }) => answer(route)));
});

after(async () => {
  await dashboard?.close();
});

test('Check now: the folders show complete or what was repaired, the Sync card when it was proven complete', async () => {
  const page = await dashboard.browser.newPage();
  try {
    await page.addInitScript(() => sessionStorage.setItem('core-email.access-token', 'a-token'));
    await page.goto(`${dashboard.url}/`);
    await page.getByText('Not proven complete yet').waitFor();

    await page.getByRole('button', { name: 'Check now' }).click();
    await page.getByRole('button', { name: 'Checking…' }).waitFor();
    const when = await page.evaluate((iso) => new Date(iso).toLocaleString(), CHECKED);
    await page.getByText(`Proven complete ${when}`).waitFor({ timeout: 15_000 });

    const lines = page.getByTestId('folder-audit');
    assert.deepEqual(await lines.allTextContents(), [
      `complete · ${when}`,
      `repaired 3 (2 missing, 1 extra) · ${when}`,
    ]);
    assert.ok(await page.getByRole('button', { name: 'Check now' }).isEnabled(), 'ready for another');
    const polls = auditPolls;
    await page.waitForTimeout(2_500);
    assert.equal(auditPolls, polls, 'no polling once nothing is pending');
    await maybeScreenshot(page, 'audit-complete');
  } finally {
    await page.close();
  }
});
