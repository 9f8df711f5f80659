// The Graph client configured the way the services configure it: baseUrl at the emulator's origin and
// `localhost` in customHosts (hostname only), so the Authorization header is attached.
import { Client } from '@microsoft/microsoft-graph-client';
import type { TestEmulator } from './emulator';

export function graphClient(emulator: TestEmulator, token: () => Promise<string> | string): Client {
  return Client.init({
    baseUrl: `${emulator.url}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(emulator.url).hostname]),
    authProvider: (done) => {
      Promise.resolve(token()).then(
        (t) => done(null, t),
        (err) => done(err, null),
      );
    },
  });
}

export async function expectGraphError(
  promise: Promise<unknown>,
): Promise<{ statusCode: number; code: string; message: string; headers?: Headers; body?: unknown }> {
  try {
    await promise;
  } catch (err) {
    return err as { statusCode: number; code: string; message: string; headers?: Headers };
  }
  throw new Error('expected the Graph call to fail');
}
