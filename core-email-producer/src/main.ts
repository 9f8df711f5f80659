import 'reflect-metadata';
import { ConfigError } from '@core-email/platform';
import { createProducerApp } from './bootstrap';
import { loadProducerConfig } from './config/config';

async function main(): Promise<void> {
  const config = loadProducerConfig();
  const app = await createProducerApp(config);
  await app.listen(config.env.PORT);
}

main().catch((error: unknown) => {
  // Before the logger exists, stderr is the only place to say why start-up stopped.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
