import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import { OutlookAccountsService } from '../outlook/outlook-accounts.service';

/**
 * Deleting an account touches two features: the mailbox's Graph subscription (outlook) and the user with
 * their sessions (auth). Said here, above both, so neither has to reach for the other.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly auth: AuthService,
    private readonly outlook: OutlookAccountsService,
  ) {}

  async deleteAccount(userId: string, password: string): Promise<void> {
    await this.auth.verifyPassword(userId, password, 'password');
    // Before the row (and the mailbox tokens with it) goes: the subscription can only be deleted with them.
    await this.outlook.deleteSubscription(userId);
    await this.auth.forget(userId);
  }
}
