// What every browser test starts from: the built dashboard (dist/) served like nginx serves it, its
// /config.json pointing at the API the test chose, and a Chromium to open it.
import { Browser } from 'playwright-core';
import { assertBuilt, launchChromium } from './browser.js';
import { close, listen, staticSite } from './http.js';

export interface Dashboard {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** `apiUrl` is read on each load of /config.json; `host` is the origin's name (localhost where CORS counts). */
export async function startDashboard(
  apiUrl: () => string,
  { host }: { host?: string } = {},
): Promise<Dashboard> {
  assertBuilt();
  const { server, url } = await listen(staticSite(apiUrl), { host });
  try {
    const browser = await launchChromium();
    return {
      url,
      browser,
      close: async () => {
        await browser.close();
        await close(server);
      },
    };
  } catch (error) {
    await close(server);
    throw error;
  }
}
