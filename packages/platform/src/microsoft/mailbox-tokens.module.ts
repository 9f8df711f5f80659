import { DynamicModule, Module } from '@nestjs/common';
import { MailboxTokens } from './mailbox-tokens';
import { MicrosoftEnv, MicrosoftSettings, microsoftSettingsFrom } from './msal';
import { MICROSOFT_SETTINGS } from './microsoft-settings.token';
import { OutlookAccountsRepository } from './outlook-accounts.repository';
import { TokenCipher } from './token-cipher';

/**
 * Mailbox tokens for both services: the producer stores them at connect, both refresh them. `configToken`
 * is the app's config (PRODUCER_CONFIG or CONSUMER_CONFIG), whose `env` holds the Microsoft variables.
 */
@Module({})
export class MailboxTokensModule {
  static forRoot(configToken: symbol): DynamicModule {
    return {
      module: MailboxTokensModule,
      providers: [
        {
          provide: MICROSOFT_SETTINGS,
          inject: [configToken],
          useFactory: (config: { env: MicrosoftEnv }) => microsoftSettingsFrom(config.env),
        },
        {
          provide: TokenCipher,
          inject: [MICROSOFT_SETTINGS],
          useFactory: (s: MicrosoftSettings) => TokenCipher.fromConfig(s.tokenKeys, s.activeTokenKeyId),
        },
        OutlookAccountsRepository,
        MailboxTokens,
      ],
      exports: [MICROSOFT_SETTINGS, TokenCipher, OutlookAccountsRepository, MailboxTokens],
    };
  }
}
