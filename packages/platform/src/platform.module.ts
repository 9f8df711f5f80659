import { DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { GRAPH_WEBHOOK_PATH } from '@core-email/contracts';
import { INFRA_SETTINGS, InfraSettings } from './config/infra-settings';
import { HealthController } from './health/health.controller';
import { AllExceptionsFilter } from './http/error-filter';
import { InfrastructureModule } from './infrastructure.module';
import { createLogger, LOGGER, serializeAccessRequest } from './logging/logger';

export interface PlatformOptions {
  /** The app's own validated config, injectable under `configToken`. */
  config: unknown;
  configToken: symbol;
  infra: InfraSettings;
  logLevel: string;
  /** Where log lines go; stdout when absent. */
  logDestination?: DestinationStream;
}

/**
 * What every service has: its config, JSON logs, /metrics, /health, one error filter, and the
 * infrastructure clients. Each app's root module imports this and adds its features.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const logger = createLogger(options.infra.serviceName, options.logLevel, options.logDestination);
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            // Health probes, scrapes and Graph's notifications (thousands a second; counted by metrics instead).
            autoLogging: { ignore: (req) => isQuietPath(req.url ?? '') },
            serializers: { req: serializeAccessRequest },
          },
          // Express 5 route syntax for "every path" (nestjs-pino's default '*' is the old syntax).
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        }),
        PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
        InfrastructureModule.forRoot(),
      ],
      controllers: [HealthController],
      providers: [
        { provide: options.configToken, useValue: options.config },
        { provide: INFRA_SETTINGS, useValue: options.infra },
        { provide: LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [options.configToken, INFRA_SETTINGS, LOGGER, InfrastructureModule],
    };
  }
}

function isQuietPath(url: string): boolean {
  return url === '/metrics' || /\/health(\/live)?$/.test(url) || url.startsWith(`${GRAPH_WEBHOOK_PATH}/`);
}
