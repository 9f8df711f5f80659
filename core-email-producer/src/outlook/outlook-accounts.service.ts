import { Injectable } from '@nestjs/common';
import { OutlookAccountsRepository } from '@core-email/platform';
import { OutlookConnectionDto } from './outlook.dto';

/** The caller's own Outlook connection: what it is, and ending it. Always scoped by the caller's user id. */
@Injectable()
export class OutlookAccountsService {
  constructor(private readonly accounts: OutlookAccountsRepository) {}

  async connectionOf(userId: string): Promise<OutlookConnectionDto> {
    const row = await this.accounts.findByUserId(userId);
    if (!row) return { status: 'not_connected' };
    return { status: row.status, address: row.address, connectedAt: row.connectedAt.toISOString() };
  }

  /** Forgets the tokens; the account row and the mail copy stay until the user deletes them. Idempotent. */
  async disconnect(userId: string): Promise<void> {
    await this.accounts.disconnect(userId);
  }

  /** Account deletion: the users row's ON DELETE CASCADE would do it too; explicit so the order is clear. */
  async removeForUser(userId: string): Promise<void> {
    await this.accounts.deleteForUser(userId);
  }
}
