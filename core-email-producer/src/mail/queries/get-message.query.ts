import { createHash } from 'node:crypto';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { MailReadRepository } from '../mail-read.repository';
import { MailReader } from '../mail-reader.service';
import type { MessageView } from '../message.dto';

/** One of the caller's messages in full; null when the caller has no message with that id. */
export class GetMessageQuery extends Query<MessageView | null> {
  constructor(
    readonly userId: string,
    readonly graphId: string,
  ) {
    super();
  }
}

@QueryHandler(GetMessageQuery)
export class GetMessageHandler implements IQueryHandler<GetMessageQuery, MessageView | null> {
  constructor(
    private readonly reader: MailReader,
    private readonly repository: MailReadRepository,
  ) {}

  execute(q: GetMessageQuery): Promise<MessageView | null> {
    // Graph ids are long; a digest keeps the key short.
    const what = `message:${createHash('sha256').update(q.graphId).digest('base64url')}`;
    return this.reader.read(q.userId, what, (db) => this.repository.message(db, q.userId, q.graphId));
  }
}
