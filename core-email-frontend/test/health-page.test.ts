// The dashboard's health view, in a real browser against the BUILT bundle (dist/).
//
// A small HTTP server answers /api/health with a fixed terminus report: it stands in for the producer only in
// this UI-level test; the full-stack browser tests run against the real producer. The bundle is pointed at it
// through /config.json, the run-time configuration the app reads (see src/config.ts).
//
// Needs: `npm run -w core-email-frontend build` (dist/ and this file compiled to test-dist/) and Chromium at
// /usr/bin/chromium (`apt-get install -y chromium`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser, chromium, Page } from 'playwright-core';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

/** What the producer answers when Kafka is down and the rest is up: HTTP 503 with the full report. */
const KAFKA_DOWN_REPORT = {
  status: 'error',
  info: {
    postgres_primary: { status: 'up', role: 'primary' },
    postgres_replica: { status: 'up', role: 'replica' },
    redis_cluster: { status: 'up' },
  },
  error: { kafka: { status: 'down', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' } },
  details: {
    postgres_primary: { status: 'up', role: 'primary' },
    postgres_replica: { status: 'up', role: 'replica' },
    redis_cluster: { status: 'up' },
    kafka: { status: 'down', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' },
  },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function close(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Serves dist/ like nginx does, plus a /config.json pointing the app at `apiUrl`. */
function staticSite(apiUrl: () => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiUrl: apiUrl() }));
      return;
    }
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  };
}

function fakeProducer(req: IncomingMessage, res: ServerResponse) {
  // The page is on another origin (like the dashboard on 4173 and the API on 3000), so CORS applies.
  const cors = { 'access-control-allow-origin': '*' };
  if (req.url === '/api/health') {
    res
      .writeHead(503, { ...cors, 'content-type': 'application/json' })
      .end(JSON.stringify(KAFKA_DOWN_REPORT));
    return;
  }
  res.writeHead(404, cors).end();
}

let browser: Browser;
let site: Server;
let siteUrl: string;
let api: Server | undefined;
let apiUrl = 'http://127.0.0.1:9'; // replaced in each test

before(async () => {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    `no built frontend at ${DIST}: run npm run -w core-email-frontend build`,
  );
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run apt-get install -y chromium`);
  ({ server: site, url: siteUrl } = await listen(staticSite(() => apiUrl)));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  await close(site);
  await close(api);
});

async function openDashboard(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  await page.goto(siteUrl);
  return page;
}

test('shows the title, the overall status and each dependency as up or down', async () => {
  ({ server: api, url: apiUrl } = await listen(fakeProducer));
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
    assert.match(kafkaRow ?? '', /ECONNREFUSED/, 'a down dependency shows why');
    assert.equal(await page.getByTestId('api-unreachable').count(), 0);
    if (process.env.FRONTEND_SCREENSHOT)
      await page.screenshot({ path: process.env.FRONTEND_SCREENSHOT, fullPage: true });
  } finally {
    await page.close();
  }
});

test('says the API is unreachable when nothing answers', async () => {
  // Take the fake producer down; the address it had now refuses connections.
  await close(api);
  api = undefined;
  const page = await openDashboard();
  try {
    const alert = page.getByTestId('api-unreachable');
    await alert.waitFor({ timeout: 10_000 });
    assert.match((await alert.textContent()) ?? '', /The API is unreachable\..*\/api\/health/);
    assert.equal(await page.locator('table').count(), 0, 'no stale dependency table when the API is down');
    if (process.env.FRONTEND_SCREENSHOT) {
      await page.screenshot({
        path: process.env.FRONTEND_SCREENSHOT.replace(/\.png$/, '-down.png'),
        fullPage: true,
      });
    }
  } finally {
    await page.close();
  }
});
