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

  /**
   * Not cached: one message is one primary-key read, and caching every message a caller opens (bodies
   * included) would let one user fill the cluster. Still the replica unless it lags the last write.
   */
  execute(q: GetMessageQuery): Promise<MessageView | null> {
    return this.reader.read(q.userId, null, (db) => this.repository.message(db, q.userId, q.graphId));
  }
}
