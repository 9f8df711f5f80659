// Entry point: `node dist/src/main.js`. SIGTERM/SIGINT snapshot the state and exit cleanly.
import { ConfigError, loadConfig } from './config/config';
import { log } from './log';
import { startEmulator } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      log.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const emulator = await startEmulator(config);
  const { state } = emulator.ctx;
  log.info('graph-emulator listening', {
    url: emulator.url,
    bind: `${config.host}:${emulator.port}`,
    authority: `${emulator.url}/${state.tenantId}`,
    graphBaseUrl: `${emulator.url}/v1.0`,
    caPath: emulator.caPath,
    hint: `start clients with NODE_EXTRA_CA_CERTS=${emulator.caPath}`,
  });
  const stop = (signal: string) => {
    log.info('stopping', { signal });
    emulator.close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', { err: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  log.error('failed to start', { err: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
