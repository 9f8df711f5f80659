// Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { DIST } from './http.js';

const CHROMIUM = '/usr/bin/chromium';

export function assertBuilt(): void {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    `no built frontend at ${DIST}: run npm run -w core-email-frontend build`,
  );
}

export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run apt-get install -y chromium`);
  return chromium.launch({
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
}

/** Saves a screenshot when FRONTEND_SCREENSHOT_DIR is set (development aid; the tests assert on the DOM). */
export async function maybeScreenshot(page: { screenshot(o: object): Promise<unknown> }, name: string) {
  const dir = process.env.FRONTEND_SCREENSHOT_DIR;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
