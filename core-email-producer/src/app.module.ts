import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from './config/config';

@Module({})
export class AppModule {
  static forRoot(config: ProducerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          configToken: PRODUCER_CONFIG,
          infra: config.infra,
          logLevel: config.env.LOG_LEVEL,
        }),
      ],
    };
  }
}
