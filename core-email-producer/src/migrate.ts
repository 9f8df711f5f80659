import { ConfigError, createLogger, runMigrations } from '@core-email/platform';
import { loadProducerConfig } from './config/config';

/** `npm run migrate`: applies pending migrations on the primary (the replica follows by streaming). */
async function main(): Promise<void> {
  const config = loadProducerConfig();
  const log = createLogger('migrate', config.env.LOG_LEVEL);
  const applied = await runMigrations(config.infra.database);
  log.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
