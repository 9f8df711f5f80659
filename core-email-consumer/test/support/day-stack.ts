// The whole product for the "day at Exchange": an emulator process of the test's own in its default dialect
// (Exchange Online), a database of the test's own, the producer and the consumer as processes (the consumer
// in a group of its own at the topics' end, its scheduler on with short clocks), and the consumer's
// Prometheus counters.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EmulatorProcess, startEmulatorProcess } from '@core-email/platform/testing';
import { ConsumerProcess, startConsumerProcess } from './consumer-process';
import { createOwnDatabase, OwnDatabase } from './day-database';
import { groupAtEnd } from './day-group';
import { CONSUMER_TOPICS, testKafka, waitForGroup } from './kafka-group';
import { ProducerProcess, startProducerProcess } from './producer-process';

/**
 * Access tokens live 40 s; Exchange asks for reauthorization from 30 s before the subscription's token
 * expires, every 5 s until answered. So a subscription whose reauthorizationRequired is ignored stops
 * delivering 40 s after its last token, and renewals alone (every 50 s, below) cannot keep it alive. The
 * 30 s lead is more than a 10 s outage plus the real-time pass that waits after it: the product can only
 * answer once Graph answers again.
 */
const EMULATOR_ENV = {
  EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true',
  EMULATOR_ACCESS_TOKEN_LIFETIME_SECONDS: '40',
  EMULATOR_REAUTH_LEAD_SECONDS: '30',
  EMULATOR_REAUTH_REPEAT_SECONDS: '5',
};

/**
 * The scheduler on: a renewal tick every 50 s (longer than a token lives) that renews every subscription
 * (all expire within 45 minutes, Graph's shortest expiry), and polling every 5 s (of mailboxes without a
 * subscription: none, unless the product falls back to it). The audit is off: the copy must be kept exact
 * by sync and real time, not repaired afterwards.
 */
const CONSUMER_ENV = {
  SUBSCRIPTION_CRON_INTERVAL_SECONDS: '50',
  SUBSCRIPTION_EXPIRY_MINUTES: '45',
  SUBSCRIPTION_RENEW_WITHIN_MINUTES: '45',
  POLLING_INTERVAL_SECONDS: '5',
  AUDIT_SCHEDULER_ENABLED: 'false',
};

export interface DayStack {
  emulator: EmulatorProcess;
  database: OwnDatabase;
  db: DataSource;
  producer: ProducerProcess;
  consumer: ConsumerProcess;
  kafka: Kafka;
  /** The consumer's counter `name` with these labels (0 when it has not been counted yet). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/** Starts every piece; if one fails to start, stops those already started before throwing. */
export async function startDayStack(): Promise<DayStack> {
  const started: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of started.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const kafka = testKafka();
    const group = `day-at-exchange-${randomUUID()}`;
    // Under way while the other pieces start; awaited (and so reported) before the consumer joins.
    const groupPlaced = groupAtEnd(kafka, group, CONSUMER_TOPICS);
    groupPlaced.catch(() => undefined);
    const emulator = await startEmulatorProcess(EMULATOR_ENV);
    started.push(() => emulator.stop());
    const database = await createOwnDatabase('core_email_day');
    started.push(() => database.drop());
    const producer = await startProducerProcess(emulator.url, database.env);
    started.push(() => producer.kill('SIGTERM'));
    await groupPlaced;
    const consumer = await startConsumerProcess(group, emulator.url, {
      ...database.env,
      ...CONSUMER_ENV,
      PUBLIC_BASE_URL: producer.url,
    });
    started.push(() => consumer.kill('SIGTERM'));
    await waitForGroup(kafka, group, 1);
    return {
      emulator,
      database,
      db: database.db,
      producer,
      consumer,
      kafka,
      metric: (name, labels) => readCounter(`${consumer.healthUrl}/metrics`, name, labels ?? {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function readCounter(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(url)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (wanted.every((w) => (m[2] ?? '').includes(w))) total += Number(m[3]);
  }
  return total;
}
