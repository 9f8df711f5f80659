import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { parseEnv, runMigrations } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { createProducerApp } from '../../src/bootstrap';
import { producerEnvSchema, ProducerConfig, toProducerConfig } from '../../src/config/config';

export interface RunningProducer {
  app: NestExpressApplication;
  config: ProducerConfig;
  url: string;
}

/** Boots the producer exactly as production does, against the local stack, on a free port. */
export async function startProducer(
  overrides: NodeJS.ProcessEnv = {},
  logDestination?: DestinationStream,
): Promise<RunningProducer> {
  const config = toProducerConfig(parseEnv(producerEnvSchema, { ...stackEnv(process.env), ...overrides }));
  await runMigrations(config.infra.database);
  const app = await createProducerApp(config, logDestination);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${address.port}` };
}
