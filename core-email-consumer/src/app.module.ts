import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from './config/config';
import { WorkersModule } from './workers/workers.module';

/** The platform as the consumer wires it: its config under CONSUMER_CONFIG, its infrastructure, its log level. */
export function consumerPlatform(config: ConsumerConfig): DynamicModule {
  return PlatformModule.forRoot({
    config,
    configToken: CONSUMER_CONFIG,
    infra: config.infra,
    logLevel: config.env.LOG_LEVEL,
  });
}

@Module({})
export class AppModule {
  static forRoot(config: ConsumerConfig): DynamicModule {
    return { module: AppModule, imports: [consumerPlatform(config), WorkersModule] };
  }
}
