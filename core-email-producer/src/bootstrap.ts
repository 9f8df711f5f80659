import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ProducerConfig } from './config/config';
import { setupOpenApi } from './openapi';

/** Builds the producer exactly as production runs it; tests boot this same function. */
export async function createProducerApp(config: ProducerConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: config.env.HTTP_BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: config.env.HTTP_BODY_LIMIT, extended: false });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.enableCors({ origin: config.env.CORS_ORIGINS, credentials: true });
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
