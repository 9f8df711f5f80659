import type { NestExpressApplication } from '@nestjs/platform-express';
import { parseEnv } from '@core-email/platform';
import { stackEnv } from '@core-email/platform/testing';
import { createConsumerApp } from '../../src/bootstrap';
import { consumerEnvSchema, ConsumerConfig, toConsumerConfig } from '../../src/config/config';

export interface RunningConsumer {
  app: NestExpressApplication;
  config: ConsumerConfig;
  url: string;
}

/** Boots the consumer exactly as production does, against the local stack, with its health server on a free port. */
export async function startConsumer(overrides: NodeJS.ProcessEnv = {}): Promise<RunningConsumer> {
  const config = toConsumerConfig(parseEnv(consumerEnvSchema, { ...stackEnv(process.env), ...overrides }));
  const app = await createConsumerApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${address.port}` };
}
