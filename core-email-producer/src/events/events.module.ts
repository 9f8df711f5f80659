import { Module } from '@nestjs/common';
import { EventsConsumer } from './events-consumer.service';
import { EventStreams } from './event-streams';
import { EventsController } from './events.controller';

/** Pushes each user's sync progress and mailbox changes to that user's browsers (GET /api/events). */
@Module({
  controllers: [EventsController],
  providers: [EventStreams, EventsConsumer],
  exports: [EventStreams, EventsConsumer],
})
export class EventsModule {}
