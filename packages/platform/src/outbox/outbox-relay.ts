import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { finishesWithin } from '../util/deadline';
import { KafkaPublisher } from '../kafka/publisher';
import { PUBLISHER } from '../kafka/tokens';
import { LOGGER } from '../logging/logger';
import { OutboxRecord, OutboxRepository } from './outbox.repository';

/** Rows per round: one produce request's worth, and a bounded claim. */
export const RELAY_BATCH = 500;
/** How long a send may wait for the broker's acknowledgement; well inside the lease. */
export const RELAY_SEND_DEADLINE_MS = 10_000;
/** How long claimed rows are this relay's; past it (a relay died mid-send) another relay takes them over. */
export const RELAY_LEASE_MS = 60_000;
/** An empty outbox is looked at this often (rows written by another replica). */
const IDLE_POLL_MS = 1_000;
/** After a local write, the outbox is looked at this often for a short while (the write commits any moment). */
const NUDGED_POLL_MS = 50;
const NUDGE_WINDOW_MS = 2_000;
/** After a failed round (Kafka or PostgreSQL down): 0.5 s, doubling up to 10 s. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** A stop waits this long for the round in progress, then frees its rows. */
const SHUTDOWN_WAIT_MS = 2_000;

/**
 * Relays the outbox to Kafka: claims the oldest rows, sends them, deletes them once the broker acknowledged
 * (at least once: a relay that dies between the ack and the delete sends them again after its lease).
 * Per key order is kept: rows of one key are claimed together in id order and leave in one request, and a
 * key's later rows wait while its earlier ones are claimed by another relay. Any number of replicas can run
 * one. No transaction is open while a send waits on the broker.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relayId = randomUUID();
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private nudgedUntil = 0;
  /** Ids claimed by the round in progress. */
  private holding: string[] = [];
  private wake?: () => void;
  private readonly log: Logger;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'outbox-relay' });
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  /** Before the database closes: the rows of a send still waiting are freed for another relay at once. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    if (await finishesWithin(this.running ?? Promise.resolve(), SHUTDOWN_WAIT_MS)) return;
    // A send still in flight is abandoned; if the broker takes it after all, a relay sends it again
    // (at least once).
    await this.outbox.release(this.relayId, this.holding).catch(() => undefined);
  }

  /** A row was (or is about to be) committed here: look at once, and keep looking closely for a moment. */
  nudge(): void {
    this.nudgedUntil = Date.now() + NUDGE_WINDOW_MS;
    this.wake?.();
  }

  /** One round: claim, send, delete. Returns how many rows it sent. Exposed for tests. */
  async relayOnce(): Promise<number> {
    const claimed = await this.outbox.claim(this.relayId, RELAY_BATCH, RELAY_LEASE_MS);
    if (claimed.length === 0) return 0;
    this.holding = claimed.map((r) => r.id);
    const byTopic = new Map<string, OutboxRecord[]>();
    for (const r of claimed) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    // Queued together, so they leave in one produce request; each topic's rows are acknowledged or not as one.
    const outcomes = await Promise.allSettled(
      [...byTopic].map(([topic, rows]) =>
        this.publisher.sendEncoded(
          topic,
          rows.map((r) => ({ key: r.key, value: r.value })),
          { deadlineMs: RELAY_SEND_DEADLINE_MS },
        ),
      ),
    );
    const groups = [...byTopic.values()];
    const sent = groups.filter((_, i) => outcomes[i].status === 'fulfilled').flat();
    const unsent = groups.filter((_, i) => outcomes[i].status === 'rejected').flat();
    await this.outbox.delete(
      this.relayId,
      sent.map((r) => r.id),
    );
    if (unsent.length > 0) {
      await this.outbox.release(
        this.relayId,
        unsent.map((r) => r.id),
      );
      this.holding = [];
      const failure = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      throw failure.reason;
    }
    this.holding = [];
    return sent.length;
  }

  private async loop(): Promise<void> {
    let backoff = BACKOFF_FIRST_MS;
    let failing = false;
    while (!this.stopping.signal.aborted) {
      let wait: number;
      try {
        const sent = await this.relayOnce();
        if (failing) this.log.info('outbox relay sending again');
        failing = false;
        backoff = BACKOFF_FIRST_MS;
        if (sent === RELAY_BATCH) continue; // more waiting: no pause
        wait = Date.now() < this.nudgedUntil ? NUDGED_POLL_MS : IDLE_POLL_MS;
      } catch (error) {
        if (!failing)
          this.log.warn({ err: error }, 'outbox relay: send failed; the rows stay and are retried');
        failing = true;
        wait = backoff;
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
      await this.pause(wait, !failing);
    }
  }

  /** Waits `ms`; a nudge ends the wait early unless the relay is backing off from a failure. */
  private async pause(ms: number, wakeable: boolean): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      if (wakeable) this.wake = resolve;
    });
    await Promise.race([
      sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined),
      woken,
    ]);
    this.wake = undefined;
  }
}
