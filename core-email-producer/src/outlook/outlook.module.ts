import { Module } from '@nestjs/common';
import { MailboxTokensModule } from '@core-email/platform';
import { SessionsRepository } from '../auth/sessions.repository';
import { PRODUCER_CONFIG } from '../config/config';
import { OAuthStateRepository } from './oauth-state.repository';
import { OutlookAccountsService } from './outlook-accounts.service';
import { OutlookConnectService } from './outlook-connect.service';
import { OutlookRedirectController } from './outlook-redirect.controller';
import { OutlookController } from './outlook.controller';

/**
 * Connecting, showing and disconnecting a user's Outlook mailbox. SessionsRepository is provided here (it
 * is stateless) rather than imported from AuthModule, which imports this module for account deletion.
 */
@Module({
  imports: [MailboxTokensModule.forRoot(PRODUCER_CONFIG)],
  controllers: [OutlookController, OutlookRedirectController],
  providers: [OAuthStateRepository, OutlookAccountsService, OutlookConnectService, SessionsRepository],
  exports: [OutlookAccountsService, MailboxTokensModule],
})
export class OutlookModule {}
