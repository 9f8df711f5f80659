import { Module } from '@nestjs/common';
import { MailboxTokensModule } from '@core-email/platform';
import { AuthModule } from '../auth/auth.module';
import { PRODUCER_CONFIG } from '../config/config';
import { OAuthStateRepository } from './oauth-state.repository';
import { OutlookAccountsService } from './outlook-accounts.service';
import { OutlookConnectService } from './outlook-connect.service';
import { OutlookRedirectController } from './outlook-redirect.controller';
import { OutlookController } from './outlook.controller';

/**
 * Connecting, showing and disconnecting a user's Outlook mailbox. AuthModule gives the guard and the
 * sessions a connect is checked against; it does not import this module (account deletion, which needs
 * both, is the accounts feature's).
 */
@Module({
  imports: [AuthModule, MailboxTokensModule.forRoot(PRODUCER_CONFIG)],
  controllers: [OutlookController, OutlookRedirectController],
  providers: [OAuthStateRepository, OutlookAccountsService, OutlookConnectService],
  exports: [OutlookAccountsService, MailboxTokensModule],
})
export class OutlookModule {}
