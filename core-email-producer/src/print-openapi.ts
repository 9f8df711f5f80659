// Prints the OpenAPI document that /api/docs-json serves, without the stack: Nest's preview mode builds the
// module graph (every controller and its decorators) but instantiates no provider, so nothing connects.
// scripts/api-types.mjs turns it into the dashboard's API types.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { useApiPrefix } from './bootstrap';
import { AppModule } from './app.module';
import { loadProducerConfig } from './config/config';
import { createOpenApiDocument } from './openapi';

/** Placeholders that pass validation: in preview mode no value is ever used to connect. */
const PREVIEW_ENV = {
  DB_PRIMARY_URL: 'postgres://preview@localhost/preview',
  REDIS_CLUSTER_NODES: 'localhost:7000',
  KAFKA_BROKERS: 'localhost:9092',
  JWT_SECRET: 'preview-'.repeat(4),
  MS_CLIENT_ID: 'preview',
  MS_CLIENT_SECRET: 'preview',
  TOKEN_ENCRYPTION_KEYS: `preview:${Buffer.alloc(32).toString('base64')}`,
  LOG_LEVEL: 'silent',
};

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(loadProducerConfig(PREVIEW_ENV)), {
    preview: true,
    logger: false,
  });
  useApiPrefix(app);
  process.stdout.write(`${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
