// The real producer (`node core-email-producer/dist/src/main.js`) as a child process, against the local stack
// and the caller's own emulator, plus what a browser does with it: sign up, connect Outlook through the API
// and the emulator's sign-in forms, and read GET /api/events the way the dashboard reads it.
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  waitUntilUp,
  emulatorSignIn,
  JsonResponse,
  requestJson,
  stackEnv,
} from '@core-email/platform/testing';
import { randomInt, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { emulatorEnv, freePort } from './consumer-process';

// dist/test/support → core-email-producer/dist/src/main.js
const MAIN = resolve(__dirname, '..', '..', '..', '..', 'core-email-producer', 'dist', 'src', 'main.js');

export interface ProducerProcess {
  url: string;
  pid: number;
  /** Its error-level log lines (at most the first 100): what a 5xx was. */
  errors: Array<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts the producer on a free port and waits until its health check answers. */
export async function startProducerProcess(
  emulatorUrl: string,
  overrides: NodeJS.ProcessEnv = {},
): Promise<ProducerProcess> {
  // A restarted producer comes back on the port it had (`PORT` in overrides): Graph's webhook URL names it.
  const port = overrides.PORT ? Number(overrides.PORT) : await freePort();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env, // PATH, NODE_EXTRA_CA_CERTS (the emulator's CA)
      ...stackEnv(process.env), // the same token keys as the consumer's
      ...emulatorEnv(emulatorUrl),
      PORT: String(port),
      ...overrides,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const errors: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (errors.length >= 100 || !line.includes('"level":5')) return;
    try {
      errors.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(child, 'producer', `${url}/api/health`, (status) => status === 200, 60);
  return {
    url,
    pid: child.pid!,
    errors,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Calls the producer's API from a client address of its own (no shared rate limit). */
export function callApi(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<JsonResponse> {
  const headers: Record<string, string> = {
    'x-forwarded-for': `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  return requestJson(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export interface ApiUser {
  id: string;
  token: string;
}

/** Signs up and logs in a fresh user through the real API. */
export async function newApiUser(baseUrl: string): Promise<ApiUser> {
  const email = `user-${randomUUID()}@example.test`;
  const password = 'correct horse battery';
  const signUp = await callApi(baseUrl, 'POST', '/api/auth/sign-up', { email, userName: 'Loop', password });
  if (signUp.status !== 201) throw new Error(`sign-up: ${signUp.status} ${JSON.stringify(signUp.body)}`);
  const logIn = await callApi(baseUrl, 'POST', '/api/auth/log-in', { email, password });
  if (logIn.status !== 200) throw new Error(`log-in: ${logIn.status} ${JSON.stringify(logIn.body)}`);
  return { id: logIn.body.user.id, token: logIn.body.accessToken };
}

/**
 * Connects an emulator mailbox to the user the way the browser does: POST /api/outlook/connect, Microsoft's
 * sign-in and consent, then our redirect URI with the binding cookie. The registered redirect URI names port
 * 3000, so the browser's last request goes to the same path and query on this producer. Returns where the
 * producer sends the browser (the dashboard, `?outlook=connected` on success).
 */
export async function connectOutlookThroughApi(
  baseUrl: string,
  user: ApiUser,
  mailbox: { username: string; password: string },
): Promise<URL> {
  const started = await callApi(baseUrl, 'POST', '/api/outlook/connect', undefined, user.token);
  if (started.status !== 200) throw new Error(`connect: ${started.status} ${JSON.stringify(started.body)}`);
  const back = await emulatorSignIn(started.body.authorizeUrl, mailbox);
  const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0];
  const res = await fetch(`${baseUrl}${back.pathname}${back.search}`, {
    redirect: 'manual',
    headers: { cookie },
  });
  await res.text();
  return new URL(res.headers.get('location') ?? 'about:blank');
}

// The SSE reader is the platform's; re-exported here beside the other producer-process helpers.
export { openEventStream, type EventStream, type ReceivedEvent } from '@core-email/platform/testing';
