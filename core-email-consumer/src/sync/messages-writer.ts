import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RowBatch } from './graph/row-batch';
import { MailWrites } from './mail-writes';
import { EmailsRepository, MessageChanges } from './repositories/emails.repository';

/**
 * Messages fetched one by one (a real-time change or an audit named them): their current state, each filed
 * under the folder Graph reports, and the ids Graph no longer has.
 */
export interface MessagesWrite {
  userId: string;
  /** Only rows of folders the user has synced. */
  upserts: RowBatch;
  removedIds: string[];
}

/** Writes fetched messages atomically and answers what changed. */
@Injectable()
export class MessagesWriter {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly emails: EmailsRepository,
    private readonly writes: MailWrites,
  ) {}

  /** One statement on the primary: atomic without a transaction of its own. */
  async write(w: MessagesWrite): Promise<MessageChanges> {
    const changes = await this.emails.applyMessages(this.db.manager, w.userId, w.upserts, w.removedIds);
    if (changes.created.length + changes.updated.length + changes.deleted.length > 0) {
      await this.writes.committed(w.userId);
    }
    return changes;
  }
}
