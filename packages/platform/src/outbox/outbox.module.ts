import { Global, Module } from '@nestjs/common';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/**
 * The transactional outbox and its relay. A service that writes jobs to the outbox imports this, and so
 * runs a relay too (the producer): the relay needs PostgreSQL and Kafka, which that service has.
 */
@Global()
@Module({
  providers: [OutboxRepository, OutboxRelay, Outbox],
  exports: [Outbox, OutboxRelay, OutboxRepository],
})
export class OutboxModule {}
