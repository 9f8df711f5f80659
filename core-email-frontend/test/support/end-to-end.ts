// The set-up both end-to-end browser tests share: the dashboard on its own origin (like nginx on 4173) and
// the REAL producer on 3000, each told about the other, plus the graph emulator's control API.
import { Dashboard, startDashboard } from './dashboard.js';
import { RunningProducer, startProducer } from './producer.js';

/** The emulator registers exactly http://localhost:3000/api/user/outlook/redirect for the default app. */
const PRODUCER_PORT = 3000;
const REDIRECT_URI = `http://localhost:${PRODUCER_PORT}/api/user/outlook/redirect`;

export const EMULATOR = new URL(process.env.MS_AUTHORITY ?? 'https://localhost:8443').origin;

export async function startDashboardAndProducer(): Promise<{
  dashboard: Dashboard;
  producer: RunningProducer;
}> {
  let apiUrl = '';
  const dashboard = await startDashboard(() => apiUrl, { host: 'localhost' });
  try {
    const producer = await startProducer(PRODUCER_PORT, {
      DASHBOARD_URL: dashboard.url,
      CORS_ORIGINS: dashboard.url,
      MS_REDIRECT_URI: REDIRECT_URI,
      // Throttling has its own tests; here a handful of sign-ups and log-ins must not trip a limit that other
      // suites' requests from the same address may have used up in the same window.
      THROTTLE_AUTH_LIMIT: '1000',
    });
    apiUrl = producer.url;
    return { dashboard, producer };
  } catch (error) {
    await dashboard.close();
    throw error;
  }
}

/** A call to the emulator's control API (loopback-only). Node trusts its CA through NODE_EXTRA_CA_CERTS. */
export function emulatorControl(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (process.env.EMULATOR_CONTROL_TOKEN)
    headers.authorization = `Bearer ${process.env.EMULATOR_CONTROL_TOKEN}`;
  return fetch(`${EMULATOR}/__emulator${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
