// The real consumer (`node core-email-consumer/dist/src/main.js`) as a child process, against the local
// stack and the caller's own emulator, in a consumer group of the caller's own: what production runs,
// so it can be killed with SIGKILL and restarted like a real replica.
import { ChildProcess, spawn } from 'node:child_process';
import { waitUntilUp, stackEnv, EMULATOR_TENANT } from '@core-email/platform/testing';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

// dist/test/support → core-email-consumer/dist/src/main.js
const MAIN = resolve(__dirname, '..', '..', 'src', 'main.js');

export interface ConsumerProcess {
  pid: number;
  /** Its health server (also /metrics). */
  healthUrl: string;
  /** Parsed JSON log lines (pino) written so far. */
  logs: Array<Record<string, unknown>>;
  /** Highest resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The Microsoft variables that point the consumer at an emulator of the caller's own. */
export function emulatorEnv(emulatorUrl: string): NodeJS.ProcessEnv {
  return {
    MS_AUTHORITY: `${emulatorUrl}/${EMULATOR_TENANT}`,
    MS_KNOWN_AUTHORITIES: new URL(emulatorUrl).host,
    GRAPH_BASE_URL: `${emulatorUrl}/v1.0`,
  };
}

/** Starts the consumer and waits until its health server answers (it joins the group right after). */
export async function startConsumerProcess(
  groupId: string,
  emulatorUrl: string,
  overrides: NodeJS.ProcessEnv = {},
): Promise<ConsumerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env, // PATH, NODE_EXTRA_CA_CERTS (the emulator's CA)
      ...stackEnv(process.env),
      LOG_LEVEL: 'info', // the tests read "mailbox sync finished" lines to see which process did what
      ...emulatorEnv(emulatorUrl),
      KAFKA_GROUP_ID: groupId,
      HEALTH_PORT: String(port),
      // Its audits would reach mailboxes of the shared database that this emulator does not hold.
      AUDIT_SCHEDULER_ENABLED: 'false',
      ...overrides,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line (e.g. a banner): ignored
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pid = child.pid!;
  await waitUntilUp(child, 'consumer', `http://127.0.0.1:${port}/health`, (status) => status < 500, 60);
  let peakKb = 0;
  return {
    pid,
    healthUrl: `http://127.0.0.1:${port}`,
    logs,
    peakRssMb() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // the process is gone: the last reading stands
      }
      return peakKb / 1024;
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** User ids whose sync this process logged as finished. */
export function finishedUsers(consumer: ConsumerProcess): string[] {
  return consumer.logs.filter((l) => l.msg === 'mailbox sync finished').map((l) => String(l.userId));
}
