import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ConsumerConfig } from './config/config';

/**
 * The consumer is a Kafka worker; its small HTTP server exists only so orchestrators and Prometheus can ask
 * it /health and /metrics. Tests boot this same function.
 */
export async function createConsumerApp(config: ConsumerConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}
