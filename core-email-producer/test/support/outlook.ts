import { randomUUID } from 'node:crypto';
import {
  emulatorControlCall,
  emulatorMicrosoft,
  emulatorSignIn,
  SignInOptions,
} from '@core-email/platform/testing';
import type { RunningProducer } from './app';
import type { ApiClient, TestUser } from './users';

/** The stack's emulator (STACK_EMULATOR_PORT moves it). */
export const EMULATOR_ORIGIN = new URL(emulatorMicrosoft(process.env).MS_AUTHORITY).origin;

/** The shared emulator's control API (loopback only). */
export function emulatorControl(method: string, path: string, body?: unknown): Promise<unknown> {
  return emulatorControlCall(EMULATOR_ORIGIN, method, path, body);
}

/** A Microsoft mailbox of the test's own, so tests never fight over (or revoke) the demo mailbox. */
export async function newMailbox(): Promise<{ username: string; password: string }> {
  const username = `outlook-test-${randomUUID()}@contoso.test`;
  const password = 'mailbox-password';
  await emulatorControl('POST', '/mailboxes', { address: username, password, displayName: 'Outlook Test' });
  return { username, password };
}

/**
 * The browser's part up to Microsoft's redirect. The registered redirect URI names port 3000; the test's
 * producer listens elsewhere, so the browser's next request goes to the same path and query on it.
 */
export async function authorizeAndSignIn(
  producer: RunningProducer,
  api: ApiClient,
  user: TestUser,
  options: SignInOptions = {},
): Promise<{ redirectUrl: string; state: string; cookie: string }> {
  const started = await api.call('POST', '/api/outlook/connect', undefined, user.token);
  if (started.status !== 200) throw new Error(`connect: ${started.status} ${JSON.stringify(started.body)}`);
  const back = await emulatorSignIn(started.body.authorizeUrl, options);
  return {
    redirectUrl: `${producer.url}${back.pathname}${back.search}`,
    state: new URL(started.body.authorizeUrl).searchParams.get('state')!,
    // The browser keeps the binding cookie the connect call set and sends it back on the redirect.
    cookie: (started.headers.get('set-cookie') ?? '').split(';')[0],
  };
}

/** GET our redirect URI as the browser does; returns the dashboard URL it sends the browser to. */
export async function followRedirect(
  redirectUrl: string,
  cookie?: string,
): Promise<{ status: number; location: URL | null }> {
  const res = await fetch(redirectUrl, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  await res.text();
  const location = res.headers.get('location');
  return { status: res.status, location: location ? new URL(location) : null };
}

/** The whole connect; returns the dashboard URL the browser ends on. */
export async function connectOutlook(
  producer: RunningProducer,
  api: ApiClient,
  user: TestUser,
  options: SignInOptions = {},
): Promise<URL | null> {
  const { redirectUrl, cookie } = await authorizeAndSignIn(producer, api, user, options);
  return (await followRedirect(redirectUrl, cookie)).location;
}
