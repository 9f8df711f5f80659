import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  deleteMailboxSubscription,
  finishesWithin,
  GraphClients,
  GraphSubscriptionsRepository,
  LOGGER,
  MailboxTokens,
  OutlookAccountsRepository,
} from '@core-email/platform';
import { PRODUCER_CONFIG, ProducerConfig } from '../config/config';
import { OutlookConnectionDto } from './outlook.dto';

// Deleting the subscription is best effort: the user never waits longer than this for it.
const SUBSCRIPTION_TEARDOWN_MS = 5_000;

/** The caller's own Outlook connection: what it is, and ending it. Always scoped by the caller's user id. */
@Injectable()
export class OutlookAccountsService {
  private readonly graph: GraphClients;
  private readonly subscriptions: GraphSubscriptionsRepository;

  constructor(
    private readonly accounts: OutlookAccountsRepository,
    tokens: MailboxTokens,
    db: DataSource,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // One DELETE per disconnect: Outlook's per-mailbox limits, and few throttle retries (a user is waiting).
    this.graph = new GraphClients(
      {
        graphBaseUrl: config.env.GRAPH_BASE_URL,
        maxConcurrency: 4,
        requestBudget: 9_000,
        budgetWindowMs: 600_000,
        maxThrottleRetries: 2,
        maxGatewayTimeoutRetries: 1,
        maxResponseBytes: 1024 * 1024,
      },
      tokens,
      logger,
    );
    this.subscriptions = new GraphSubscriptionsRepository(db);
  }

  async connectionOf(userId: string): Promise<OutlookConnectionDto> {
    const row = await this.accounts.findByUserId(userId);
    if (!row) return { status: 'not_connected' };
    return { status: row.status, address: row.address, connectedAt: row.connectedAt.toISOString() };
  }

  /** Forgets the tokens; the account row and the mail copy stay until the user deletes them. Idempotent. */
  async disconnect(userId: string): Promise<void> {
    await this.deleteSubscription(userId);
    await this.accounts.disconnect(userId);
  }

  /**
   * Deletes the mailbox's Graph subscription while its tokens still exist (disconnect and account deletion
   * drop them). Never throws and never blocks the user for long: a failure is logged, and a subscription
   * left behind expires within days while its notifications find no live row and are dropped.
   */
  async deleteSubscription(userId: string): Promise<void> {
    const work = deleteMailboxSubscription(
      this.graph.forMailbox(userId),
      this.subscriptions,
      userId,
      this.logger,
    );
    if (!(await finishesWithin(work, SUBSCRIPTION_TEARDOWN_MS))) {
      this.logger.warn({ userId }, 'deleting the Graph subscription took too long; going on without it');
    }
  }
}
