import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OutlookModule } from '../outlook/outlook.module';
import { AccountController } from './account.controller';
import { AccountDeletionService } from './account-deletion.service';

/** What spans the features a user's account is made of: its deletion. */
@Module({
  imports: [AuthModule, OutlookModule],
  controllers: [AccountController],
  providers: [AccountDeletionService],
})
export class AccountsModule {}
