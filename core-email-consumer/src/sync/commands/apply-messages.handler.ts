import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MailWrites } from '../mail-writes';
import { EmailsRepository, MessageChanges } from '../repositories/emails.repository';
import { ApplyMessagesCommand } from './apply-messages.command';

@CommandHandler(ApplyMessagesCommand)
export class ApplyMessagesHandler implements ICommandHandler<ApplyMessagesCommand, MessageChanges> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly emails: EmailsRepository,
    private readonly writes: MailWrites,
  ) {}

  /** One statement on the primary: atomic without a transaction of its own. */
  async execute(c: ApplyMessagesCommand): Promise<MessageChanges> {
    const changes = await this.emails.applyMessages(this.db.manager, c.userId, c.upserts, c.removedIds);
    if (changes.created.length + changes.updated.length + changes.deleted.length > 0) {
      await this.writes.committed(c.userId);
    }
    return changes;
  }
}
