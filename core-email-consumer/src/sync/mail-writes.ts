import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LOGGER, recordMailWrite, REDIS_CLUSTER } from '@core-email/platform';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

/**
 * After a commit that changed what the read API shows (mail, folders): invalidates the user's cached read
 * pages and records the WAL position the read API must see before it trusts a replica. The write is already
 * committed, so a Redis failure only logs: cached pages then live out their short TTL.
 */
@Injectable()
export class MailWrites {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS_CLUSTER) private readonly redis: Cluster,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async committed(userId: string): Promise<void> {
    try {
      await recordMailWrite(this.redis, this.db, userId);
    } catch (err) {
      this.logger.warn({ err, userId }, 'mail cache version not bumped');
    }
  }
}
