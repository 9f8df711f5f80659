// Starts one emulator instance: CA and server certificate, state (snapshot or defaults), HTTPS listener,
// periodic snapshots. Used by main.ts and, in-process on port 0, by the tests.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp } from './app';
import type { EmulatorConfig } from './config/config';
import type { AppContext } from './context';
import { log, setLogLevel } from './log';
import { ensureDefaults } from './store/defaults';
import { loadSnapshot, saveSnapshot } from './store/snapshot';
import { EmulatorState } from './store/state';
import { SubscriptionService } from './subscriptions/service';
import { Faults } from './throttle/faults';
import { Limiter } from './throttle/limiter';
import { ensureCa, issueServerCert } from './tls/ca';

export interface RunningEmulator {
  url: string;
  port: number;
  caPath: string;
  ctx: AppContext;
  faults: Faults;
  limiter: Limiter;
  subscriptions: SubscriptionService;
  snapshot: () => Promise<void>;
  /** Stops listening, snapshots the state, and ends open connections. */
  close: () => Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulator(config: EmulatorConfig): Promise<RunningEmulator> {
  setLogLevel(config.logLevel);
  const ca = ensureCa(config.caDir);
  const credentials = issueServerCert(ca, config.certNames);
  const state = new EmulatorState();
  const statePath = join(config.dataDir, 'state.json');
  const started = Date.now();
  const restored = await loadSnapshot(state, statePath);
  ensureDefaults(state, config.demoMessages);
  log.info(restored ? 'state restored from snapshot' : 'fresh state', {
    statePath,
    ms: Date.now() - started,
    mailboxes: state.mailboxes.size,
  });

  const ctx: AppContext = { config, state, publicUrl: config.publicUrl ?? '' };
  const subscriptions = new SubscriptionService(config, state);
  const limiter = new Limiter({ ...config.throttle });
  const faults = new Faults();

  let saving: Promise<void> = Promise.resolve();
  const snapshot = (): Promise<void> => {
    saving = saving
      .then(() => saveSnapshot(state, statePath))
      .catch((err) => log.error('snapshot failed', { err: String(err) }));
    return saving;
  };
  const reset = (): void => {
    state.clear();
    ensureDefaults(state, config.demoMessages);
    limiter.reset();
    faults.clear();
  };

  const app = buildApp({ ctx, subscriptions, limiter, faults, caPath: ca.certPath, snapshot, reset });
  const server = createServer({ cert: credentials.cert, key: credentials.key }, app);
  const port = await listen(server, config.port, config.host);
  ctx.publicUrl = config.publicUrl ?? `https://localhost:${port}`;
  subscriptions.start();

  const timer =
    config.snapshotIntervalSeconds > 0
      ? setInterval(() => {
          if (state.dirty) void snapshot();
        }, config.snapshotIntervalSeconds * 1000)
      : undefined;
  timer?.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (timer) clearInterval(timer);
      subscriptions.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
      await snapshot();
      await closed;
    })();
    return closing;
  };

  return {
    url: ctx.publicUrl,
    port,
    caPath: ca.certPath,
    ctx,
    faults,
    limiter,
    subscriptions,
    snapshot,
    close,
  };
}
