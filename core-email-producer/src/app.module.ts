import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { OutboxModule, PlatformModule } from '@core-email/platform';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { PRODUCER_CONFIG, ProducerConfig } from './config/config';
import { EventsModule } from './events/events.module';
import { MailModule } from './mail/mail.module';
import { OutlookModule } from './outlook/outlook.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: ProducerConfig, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          configToken: PRODUCER_CONFIG,
          infra: config.infra,
          logLevel: config.env.LOG_LEVEL,
          logDestination,
        }),
        // Jobs that must not be lost are written to the outbox; this process relays it to Kafka.
        OutboxModule,
        AuthModule,
        OutlookModule,
        EventsModule,
        MailModule,
        AuditModule,
        WebhooksModule,
        AccountsModule,
      ],
    };
  }
}
