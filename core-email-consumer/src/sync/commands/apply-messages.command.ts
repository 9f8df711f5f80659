import { Command } from '@nestjs/cqrs';
import type { RowBatch } from '../graph/row-batch';
import type { MessageChanges } from '../repositories/emails.repository';

/**
 * Messages fetched one by one (a real-time change named them): their current state, each filed under the
 * folder Graph reports, and the ids Graph no longer has, written atomically. Answers what changed.
 */
export class ApplyMessagesCommand extends Command<MessageChanges> {
  constructor(
    readonly userId: string,
    /** Only rows of folders the user has synced. */
    readonly upserts: RowBatch,
    readonly removedIds: string[],
  ) {
    super();
  }
}
