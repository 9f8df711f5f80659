// Starts an in-process emulator on port 0 with a temporary state directory. The server certificate comes from
// the repository CA (<repo>/.data/emulator/ca), the one NODE_EXTRA_CA_CERTS points at for the test run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { startEmulator, type RunningEmulator } from '../../src/server';
import { DEFAULT_APP, DEFAULT_TENANT_ID, DEMO_MAILBOX } from '../../src/store/state';

// dist/test/support → repository root
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const CA_DIR = join(REPO_ROOT, '.data', 'emulator', 'ca');

export { DEFAULT_APP, DEFAULT_TENANT_ID, DEMO_MAILBOX };

export interface TestEmulator extends RunningEmulator {
  dataDir: string;
  control: <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;
  stop: () => Promise<void>;
}

export async function startTestEmulator(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<TestEmulator> {
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      'run the tests with NODE_EXTRA_CA_CERTS=<repo>/.data/emulator/ca/ca.pem (after `node graph-emulator/dist/src/cli.js ensure-ca`)',
    );
  }
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'graph-emulator-test-'));
  const config = loadConfig({
    EMULATOR_PORT: '0',
    EMULATOR_DATA_DIR: dir,
    EMULATOR_CA_DIR: CA_DIR,
    EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true',
    EMULATOR_SNAPSHOT_INTERVAL_SECONDS: '0',
    EMULATOR_LOG_LEVEL: 'error',
    EMULATOR_NOTIFICATION_BATCH_MS: '10',
    ...env,
  });
  const emulator = await startEmulator(config);
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${emulator.url}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  const stop = async () => {
    await emulator.close();
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
  };
  return { ...emulator, dataDir: dir, control, stop };
}
