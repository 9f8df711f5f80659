import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { TOPICS } from '@core-email/contracts';
import { Outbox, QueuedResyncs } from '@core-email/platform';
import { OutlookAccountsService } from '../outlook/outlook-accounts.service';
import type { ResyncStartedView } from './mailbox.dto';

/**
 * Forcing a sync. A resync while a run is still going is accepted: jobs are keyed by user, so the consumer
 * takes them in order on one partition and the second run picks up where the first left the delta links.
 * Requests are coalesced: while a run that covers the request is queued (not yet started), its id is the
 * answer and nothing more is published. The job goes through the outbox: a resync is accepted (202) while
 * Kafka is down and delivered once it is back.
 */
@Injectable()
export class ResyncService {
  constructor(
    private readonly accounts: OutlookAccountsService,
    private readonly outbox: Outbox,
    private readonly queued: QueuedResyncs,
  ) {}

  async resync(userId: string, mode: 'incremental' | 'full'): Promise<ResyncStartedView> {
    // Read on the primary: a mailbox connected a moment ago must not be refused by a lagging replica.
    const { status } = await this.accounts.connectionOf(userId);
    if (status !== 'connected') {
      throw new ConflictException(`the mailbox is not connected (${status}); connect Outlook first`);
    }
    const runId = randomUUID();
    const alreadyQueued = await this.queued.claim(userId, mode, runId);
    if (alreadyQueued) return { runId: alreadyQueued };
    try {
      // Durable once written; the outbox relay sends it when Kafka takes it (at once, or after an outage).
      await this.outbox.publish(TOPICS.syncEmail, {
        userId,
        runId,
        mode,
        reason: 'resync',
        requestedAt: new Date().toISOString(),
      });
    } catch (error) {
      await this.queued.started(userId, runId).catch(() => undefined); // not queued after all
      throw error;
    }
    return { runId };
  }
}
