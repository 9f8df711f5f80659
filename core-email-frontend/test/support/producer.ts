// The real producer as a child process (`node core-email-producer/dist/src/main.js`), for the end-to-end
// browser tests. It gets the local stack's environment (scripts/local-env.sh, sourced by `npm test`) plus
// what the test decides: the port and the dashboard's origin.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = `${REPO}core-email-producer/dist/src/main.js`;

export interface RunningProducer {
  url: string;
  /** Everything it printed so far (pino JSON lines), for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Resolves when `port` can be bound on every interface (what the producer does), rejects with the reason. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `port ${port} is taken (${error.code}). The end-to-end test runs its own producer there, because ` +
            `that is the redirect URI the emulator has registered. Stop whatever listens on ${port} ` +
            `(a producer from \`npm start\`?) and run the test again.`,
        ),
      ),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

function tail(text: string, lines = 30): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export async function startProducer(port: number, env: Record<string, string>): Promise<RunningProducer> {
  assert.ok(existsSync(MAIN), `no built producer at ${MAIN}: run npm run build:ts`);
  for (const name of ['JWT_SECRET', 'TOKEN_ENCRYPTION_KEYS', 'DB_PRIMARY_URL', 'MS_AUTHORITY']) {
    assert.ok(
      process.env[name],
      `${name} is not set: run the tests through \`npm test\`, or \`source scripts/local-env.sh\` first`,
    );
  }
  await assertPortFree(port);

  let output = '';
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = `http://localhost:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  // Ready = /api/health answers 200 (database, Redis and Kafka reachable). Start-up takes a few seconds.
  const deadline = Date.now() + 60_000;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the producer exited with code ${child.exitCode} during start-up:\n${tail(output)}`);
    }
    try {
      const response = await fetch(`${url}/api/health`);
      last = `HTTP ${response.status}: ${tail(await response.text(), 5)}`;
      if (response.status === 200) return { url, output: () => output, stop };
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(
    `the producer was not healthy within 60 s (is the stack up? \`npm run stack:up\`, and migrated? ` +
      `\`npm run migrate\`). Last health answer: ${last}\n${tail(output)}`,
  );
}
