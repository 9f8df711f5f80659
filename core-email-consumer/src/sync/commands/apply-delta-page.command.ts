import { Command } from '@nestjs/cqrs';
import type { RowBatch } from '../graph/row-batch';

export interface AppliedPage {
  written: number;
  removed: number;
  reconciled: number;
}

/**
 * One delta page of one folder: its messages, its removals and where the delta continues, written in one
 * transaction so a crash resumes from the last committed page and never duplicates.
 */
export class ApplyDeltaPageCommand extends Command<AppliedPage> {
  constructor(
    readonly userId: string,
    readonly folderGraphId: string,
    /** The folder's current round (see mail_folders.round). */
    readonly round: string,
    /** The round started from scratch: its last page deletes what it did not see. */
    readonly roundIsFresh: boolean,
    readonly upserts: RowBatch,
    readonly removedIds: string[],
    /** The next link, or the delta link when this page ends the round. */
    readonly link: string,
    readonly roundDone: boolean,
  ) {
    super();
  }
}
