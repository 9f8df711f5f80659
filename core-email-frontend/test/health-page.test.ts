// The dashboard's health panel (on every page, the log-in page included), in a real browser against the BUILT bundle (dist/).
//
// A small HTTP server answers /api/health with a fixed terminus report: it stands in for the producer only in
// this UI-level test; the full-stack browser tests run against the real producer. The bundle is pointed at it
// through /config.json, the run-time configuration the app reads (see src/config.ts).
//
// Needs: `npm run -w core-email-frontend build` (dist/ and this file compiled to test-dist/) and Chromium at
// /usr/bin/chromium (`apt-get install -y chromium`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Page } from 'playwright-core';
import { maybeScreenshot } from './support/browser.js';
import { Dashboard, startDashboard } from './support/dashboard.js';
import { FakeApi, startFakeApi } from './support/fake-api.js';

/** What the producer answers when Kafka is down and the rest is up: HTTP 200, degraded (it serves on). */
const KAFKA_DOWN_REPORT = {
  status: 'degraded',
  info: {
    postgres_primary: { status: 'up', role: 'primary' },
    postgres_replica: { status: 'up', role: 'replica' },
    redis_cluster: { status: 'up' },
  },
  error: { kafka: { status: 'down', message: 'unreachable' } },
  details: {
    postgres_primary: { status: 'up', role: 'primary' },
    postgres_replica: { status: 'up', role: 'replica' },
    redis_cluster: { status: 'up' },
    kafka: { status: 'down', message: 'unreachable' },
  },
};

let dashboard: Dashboard;
let api: FakeApi | undefined;
let apiUrl = 'http://127.0.0.1:9'; // replaced in each test

before(async () => {
  dashboard = await startDashboard(() => apiUrl);
});

after(async () => {
  await dashboard?.close();
  await api?.close();
});

async function openDashboard(): Promise<Page> {
  const page = await dashboard.browser.newPage({ viewport: { width: 1000, height: 640 } });
  await page.goto(dashboard.url);
  return page;
}

test('shows the title, the overall status and each dependency as up or down', async () => {
  api = await startFakeApi(({ route }) =>
    route === 'GET /api/health' ? { status: 200, body: KAFKA_DOWN_REPORT } : undefined,
  );
  apiUrl = api.url;
  const page = await openDashboard();
  try {
    await page.getByTestId('overall-status').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('h1').textContent(), 'Core Email System');
    assert.equal(await page.getByTestId('overall-status').textContent(), 'degraded');
    const states: Record<string, string | null> = {};
    for (const name of ['postgres_primary', 'postgres_replica', 'redis_cluster', 'kafka']) {
      states[name] = await page.getByTestId(`status-${name}`).textContent();
    }
    assert.deepEqual(states, {
      postgres_primary: 'up',
      postgres_replica: 'up',
      redis_cluster: 'up',
      kafka: 'down',
    });
    const kafkaRow = await page.locator('tr[data-dependency="kafka"]').textContent();
    assert.match(kafkaRow ?? '', /unreachable/, 'a down dependency shows why');
    assert.equal(await page.getByTestId('api-unreachable').count(), 0);
    await maybeScreenshot(page, 'health');
  } finally {
    await page.close();
  }
});

test('says the API is unreachable when nothing answers', async () => {
  // Take the fake producer down; the address it had now refuses connections.
  await api?.close();
  api = undefined;
  const page = await openDashboard();
  try {
    const alert = page.getByTestId('api-unreachable');
    await alert.waitFor({ timeout: 10_000 });
    assert.match((await alert.textContent()) ?? '', /The API is unreachable\..*\/api\/health/);
    assert.equal(await page.locator('table').count(), 0, 'no stale dependency table when the API is down');
    await maybeScreenshot(page, 'health-down');
  } finally {
    await page.close();
  }
});
