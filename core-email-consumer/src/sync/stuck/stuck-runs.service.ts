import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TOPICS } from '@core-email/contracts';
import { KafkaPublisher, LOGGER, PUBLISHER } from '@core-email/platform';
import type { Logger } from 'pino';
import { CONSUMER_CONFIG, ConsumerConfig } from '../../config/config';
import { StuckRun, StuckRunsRepository } from './stuck-runs.repository';

/**
 * Every replica checks periodically for runs with no progress for SYNC_STUCK_AFTER_SECONDS (a consumer died
 * and nobody took the job over, a mailbox paused for ages). Safe with many replicas: the database decides
 * which one reports a given run (see StuckRunsRepository). A stuck run that makes progress again goes back
 * to `running` (SyncRunsRepository.progress).
 */
@Injectable()
export class StuckRunsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    private readonly repository: StuckRunsRepository,
  ) {}

  onApplicationBootstrap(): void {
    // A fifth of the threshold (at most a minute) keeps detection within ~20 % of the configured time.
    const everyMs = Math.min(60_000, Math.max(1_000, (this.config.env.SYNC_STUCK_AFTER_SECONDS * 1000) / 5));
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Marks and reports the runs that are stuck now; returns the ones this replica marked. */
  async check(): Promise<StuckRun[]> {
    const stuck = await this.repository.markStuck(this.config.env.SYNC_STUCK_AFTER_SECONDS);
    for (const run of stuck) {
      this.logger.warn(run, 'sync run stuck: no progress');
      await this.publisher.publish(TOPICS.emailAck, {
        userId: run.userId,
        runId: run.runId,
        status: 'stuck',
        done: Math.min(run.messagesSynced, run.total),
        total: run.total,
        folders: [],
        error: `no progress for ${this.config.env.SYNC_STUCK_AFTER_SECONDS} s`,
        at: new Date().toISOString(),
      });
    }
    return stuck;
  }

  private async tick(): Promise<void> {
    if (this.checking) return; // a slow database must not pile checks up
    this.checking = true;
    try {
      await this.check();
    } catch (error) {
      // The next tick tries again; a marked run whose ack failed still shows `stuck` in sync_runs.
      this.logger.warn({ err: error }, 'stuck-run check failed');
    } finally {
      this.checking = false;
    }
  }
}
