import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { ConfigError } from '@core-email/platform';
import { createConsumerApp } from './bootstrap';
import { loadConsumerConfig } from './config/config';

async function main(): Promise<void> {
  const config = loadConsumerConfig();
  // Read by V8 at each full GC, so setting it at start-up works like the command-line flag.
  if (config.env.HEAP_GROWING_PERCENT > 0) {
    setFlagsFromString(`--heap-growing-percent=${config.env.HEAP_GROWING_PERCENT}`);
  }
  const app = await createConsumerApp(config);
  await app.listen(config.env.HEALTH_PORT);
}

main().catch((error: unknown) => {
  // Before the logger exists, stderr is the only place to say why start-up stopped.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
