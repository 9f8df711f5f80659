import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { API_PREFIX, GRAPH_WEBHOOK_PATH } from '@core-email/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { ProducerConfig } from './config/config';
import { setupOpenApi } from './openapi';
import { webhookBodyReader } from './webhooks/webhook-body';

/** Every route under /api but the Prometheus scrape. */
export function useApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
}

/** Builds the producer exactly as production runs it; tests boot this same function. */
export async function createProducerApp(
  config: ProducerConfig,
  logDestination?: DestinationStream,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logDestination), {
    bufferLogs: true,
    bodyParser: false,
    // Keep-alive clients (browsers, Graph's webhook deliveries, a load balancer) that keep sending would hold
    // the HTTP server open after SIGTERM forever: a stopping producer closes their connections.
    forceCloseConnections: true,
  });
  app.useLogger(app.get(Logger));
  // Graph's webhook reads its own body (own limit, strict parsing) before the global parsers, which then skip it.
  app.use(GRAPH_WEBHOOK_PATH, webhookBodyReader);
  app.useBodyParser('json', { limit: config.env.HTTP_BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: config.env.HTTP_BODY_LIMIT, extended: false });
  // Which proxies may set X-Forwarded-For: the client address the rate limits count by.
  app.set('trust proxy', config.env.TRUST_PROXY);
  useApiPrefix(app);
  // Retry-After is exposed so the dashboard can say when a throttled form may be sent again.
  app.enableCors({ origin: config.env.CORS_ORIGINS, credentials: true, exposedHeaders: ['Retry-After'] });
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
