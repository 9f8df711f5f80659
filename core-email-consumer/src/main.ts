import 'reflect-metadata';
import { ConfigError } from '@core-email/platform';
import { createConsumerApp } from './bootstrap';
import { loadConsumerConfig } from './config/config';

async function main(): Promise<void> {
  const config = loadConsumerConfig();
  const app = await createConsumerApp(config);
  await app.listen(config.env.HEALTH_PORT);
}

main().catch((error: unknown) => {
  // Before the logger exists, stderr is the only place to say why start-up stopped.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
