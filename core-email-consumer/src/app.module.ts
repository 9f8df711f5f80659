import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@core-email/platform';
import { CONSUMER_CONFIG, ConsumerConfig } from './config/config';
import { WorkersModule } from './workers/workers.module';

@Module({})
export class AppModule {
  static forRoot(config: ConsumerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          configToken: CONSUMER_CONFIG,
          infra: config.infra,
          logLevel: config.env.LOG_LEVEL,
        }),
        WorkersModule,
      ],
    };
  }
}
