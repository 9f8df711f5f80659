// What every route needs: configuration, state, and the public origin (known only once the port is bound).
import type { Request } from 'express';
import type { EmulatorConfig } from './config/config';
import type { EmulatorState } from './store/state';

export interface AppContext {
  config: EmulatorConfig;
  state: EmulatorState;
  /** https://localhost:<port> unless EMULATOR_PUBLIC_URL says otherwise. Set after listen(). */
  publicUrl: string;
}

const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;

/**
 * The origin the caller used to reach us. Links a client follows (nextLink, deltaLink, token endpoint) use
 * it, so a service that reaches the emulator by a compose service name gets links it can follow.
 */
export function requestOrigin(ctx: AppContext, req: Request): string {
  const host = req.headers.host;
  return host && SAFE_HOST.test(host) ? `https://${host}` : ctx.publicUrl;
}
