import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { encode, keyOf, MessageOf, TopicName } from '@core-email/contracts';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/**
 * Sending a job that must not be lost: it is written to the outbox (validated against its contract), in the
 * caller's transaction when it belongs to one, and the relay sends it to Kafka once committed. The caller
 * never waits on Kafka, and a job is sent if and only if its transaction committed.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly repo: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
  ) {}

  /** Within the transaction of `tx`: the job exists exactly when the transaction commits. */
  async add<T extends TopicName>(tx: EntityManager, topic: T, message: MessageOf<T>): Promise<void> {
    await this.repo.insert(tx, { topic, key: keyOf(topic, message), value: encode(topic, message) });
    this.relay.nudge();
  }

  /** On its own (no transaction to join): durable once this resolves, sent by the relay. */
  async publish<T extends TopicName>(topic: T, message: MessageOf<T>): Promise<void> {
    await this.add(this.dataSource.manager, topic, message);
  }
}
