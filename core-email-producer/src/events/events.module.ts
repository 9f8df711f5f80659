import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsConsumer } from './events-consumer.service';
import { EventStreams } from './event-streams';
import { EventsController } from './events.controller';
import { StreamSessions } from './stream-sessions';

/** Pushes each user's sync progress and mailbox changes to that user's browsers (GET /api/events). */
@Module({
  imports: [AuthModule],
  controllers: [EventsController],
  providers: [EventStreams, EventsConsumer, StreamSessions],
  exports: [EventStreams, EventsConsumer],
})
export class EventsModule {}
