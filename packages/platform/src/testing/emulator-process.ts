// A graph emulator of the test's own, as a separate process (as in production), for settings the shared
// one does not have, such as strict refresh-token rotation. Its certificate comes from the repository CA
// that NODE_EXTRA_CA_CERTS already trusts.
import { ChildProcess, spawn } from 'node:child_process';
import { waitUntilUp } from './child-start';
import { emulatorControlCall } from './emulator-control';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testProcessEnv } from './config';

// dist/src/testing → repository root
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..', '..');
export const EMULATOR_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export interface EmulatorProcess {
  url: string;
  pid: number;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export async function startEmulatorProcess(env: Record<string, string>): Promise<EmulatorProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'token-test-emulator-'));
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'graph-emulator/dist/src/main.js')], {
    env: {
      ...testProcessEnv, // PATH, NODE_EXTRA_CA_CERTS
      EMULATOR_PORT: String(port),
      EMULATOR_DATA_DIR: dataDir,
      EMULATOR_CA_DIR: join(REPO_ROOT, '.data/emulator/ca'),
      EMULATOR_SNAPSHOT_INTERVAL_SECONDS: '0',
      EMULATOR_DEMO_MESSAGES: '5',
      EMULATOR_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `https://localhost:${port}`;
  await waitUntilUp(
    child,
    'emulator',
    `${url}/__emulator/health`,
    (status) => status >= 200 && status < 300,
    30,
  );
  return {
    url,
    pid: child.pid!,
    control: (method, path, body) => emulatorControlCall(url, method, path, body),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
