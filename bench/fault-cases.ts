// The faults of `npm run faults`, each injected while the load runs. `inject` returns when the fault has ended
// (the dependency is back, or the killed process replaced): recovery is measured from then.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import {
  testKafka,
  waitForGroup,
  connectOutlookThroughApi,
  newApiUser,
  openEventStream,
  assertMailboxExact,
} from 'core-email-consumer/testing';
import type { Load, LoadOptions } from './fault-load';
import { killAllRedis, killRedis, redisMasters, signalKafka, signalPg, stackUp } from './fault-stack';
import { until, type World } from './fault-world';

export interface CaseOutcome {
  /** performance.now() when the fault ended. */
  endedAt: number;
  /** What the case checked beyond the load's figures (e.g. a mailbox synced exactly). */
  checks?: Record<string, unknown>;
}

export interface FaultCase {
  name: string;
  fault: string;
  /** What the load is, in words, for the table. */
  load: string;
  options?: Partial<LoadOptions>;
  /** Users left out of the load's figures (set by the case before the load starts). */
  prepare?(world: World): Promise<Set<string>>;
  inject(world: World, load: Load): Promise<CaseOutcome>;
  /** Puts the world back as the next case expects it (one consumer, every stack part up). */
  restore?(world: World): Promise<void>;
}

const STEADY = 'reads every 50 ms per user, a sign-in every 250 ms, 20 mails/s';
const BURST = 'as steady, plus a burst of 100 mails/s';

/** The instant of a fault that has no duration of its own (a kill): it ends when it is done. */
const now = () => performance.now();

async function replaceConsumer(world: World, index: number): Promise<void> {
  await world.consumers[index].kill('SIGKILL');
  world.consumers.splice(index, 1);
  await world.addConsumer();
  await waitForGroup(testKafka(), world.group, world.consumers.length);
}

export const CASES: FaultCase[] = [
  {
    name: 'redis-master-kill',
    fault: 'Redis master kill -9',
    load: STEADY,
    async inject() {
      const [master] = await redisMasters();
      killRedis(master);
      return { endedAt: now() };
    },
    restore: stackUp,
  },
  {
    name: 'redis-all-down',
    fault: 'Redis all 6 nodes kill -9, 10 s',
    load: STEADY,
    async inject() {
      killAllRedis();
      await sleep(10_000);
      await stackUp();
      return { endedAt: now() };
    },
  },
  {
    name: 'pg-replica-kill',
    fault: 'PostgreSQL replica kill -9 (back after 10 s)',
    load: STEADY,
    async inject() {
      signalPg('replica', 'SIGKILL');
      await sleep(10_000);
      await stackUp();
      return { endedAt: now() };
    },
  },
  {
    name: 'pg-primary-restart',
    fault: 'PostgreSQL primary restart (fast shutdown, start)',
    load: STEADY,
    async inject() {
      signalPg('primary', 'SIGINT');
      await sleep(2_000);
      await stackUp();
      return { endedAt: now() };
    },
  },
  {
    name: 'kafka-stop',
    fault: 'Kafka broker SIGSTOP 15 s',
    load: STEADY,
    async inject() {
      signalKafka('SIGSTOP');
      await sleep(15_000);
      signalKafka('SIGCONT');
      return { endedAt: now() };
    },
  },
  {
    name: 'kafka-kill-burst',
    fault: 'Kafka broker kill -9 + restart during a burst',
    load: BURST,
    async inject(_world, load) {
      load.burst = 100;
      await sleep(2_000);
      signalKafka('SIGKILL');
      await sleep(2_000);
      load.burst = 0;
      await stackUp();
      return { endedAt: now() };
    },
  },
  {
    name: 'consumer-kill-sync',
    fault: 'consumer kill -9 mid-sync (3,000-message mailbox), replaced',
    load: STEADY,
    async inject(world) {
      const big = await connectBigMailbox(world, 3_000);
      await until('the big mailbox half synced', 120_000, async () => (await rowsOf(world, big.id)) >= 1_000);
      await replaceConsumer(world, 0);
      const endedAt = now();
      await until('the big mailbox synced', 300_000, async () => {
        const [run] = (await world.db.query(
          `SELECT status FROM sync_runs WHERE user_id = $1 ORDER BY started_at DESC LIMIT 1`,
          [big.id],
        )) as { status: string }[];
        return run?.status === 'finished';
      });
      const rows = await assertMailboxExact(world.db, world.emulator.control, big.address, big.id);
      return { endedAt, checks: { bigMailboxExact: true, bigMailboxRows: rows } };
    },
  },
  {
    name: 'consumer-kill-burst',
    fault: 'consumer kill -9 during a burst, replaced',
    load: BURST,
    async inject(world, load) {
      load.burst = 100;
      await sleep(2_000);
      await replaceConsumer(world, 0);
      load.burst = 0;
      return { endedAt: now() };
    },
  },
  {
    name: 'producer-restart',
    fault: 'producer restart (SIGTERM, start) under webhook load',
    load: `${BURST} (every mail is a Graph notification to the webhook)`,
    async inject(world, load) {
      load.burst = 100;
      await sleep(2_000);
      await world.restartProducer();
      load.burst = 0;
      // The browsers reconnect their streams to the new process.
      for (const u of world.users) {
        u.stream.close();
        u.stream = await openEventStream(world.producer.url, u.token);
      }
      return { endedAt: now() };
    },
  },
  {
    name: 'consumer-replica-kill',
    fault: 'three consumers, one kill -9 (rebalance, not replaced)',
    load: STEADY,
    async inject(world) {
      await world.addConsumer();
      await world.addConsumer();
      await waitForGroup(testKafka(), world.group, 3);
      await sleep(3_000);
      await world.consumers[1].kill('SIGKILL');
      world.consumers.splice(1, 1);
      return { endedAt: now() };
    },
    async restore(world) {
      while (world.consumers.length > 1) await world.consumers.pop()!.kill('SIGTERM');
    },
  },
  {
    name: 'mailbox-throttled',
    fault: "one mailbox throttled (Retry-After 600) while the others' real time goes on",
    load: `${STEADY}, the throttled mailbox's mail not counted`,
    async prepare(world) {
      return new Set([world.users[0].id]);
    },
    async inject(world) {
      const victim = world.users[0];
      await world.emulator.control('PUT', '/faults', {
        throttleNext: 1_000_000,
        retryAfterSeconds: 600,
        mailbox: victim.address,
      });
      await world.emulator.control('POST', `/mailboxes/${victim.address}/messages`, {
        subject: 'held by Graph',
        bodyHtml: '<p>throttled</p>',
      });
      await sleep(15_000);
      await world.emulator.control('DELETE', '/faults');
      return { endedAt: now(), checks: { throttledMailbox: victim.address } };
    },
  },
];

async function rowsOf(world: World, userId: string): Promise<number> {
  const [{ n }] = (await world.db.query(`SELECT count(*)::int AS n FROM emails WHERE user_id = $1`, [
    userId,
  ])) as { n: number }[];
  return n;
}

/** A user whose mailbox is big enough for a kill to land mid-sync; not part of the load. */
async function connectBigMailbox(world: World, messages: number): Promise<{ id: string; address: string }> {
  const address = `faults-big-${randomUUID()}@contoso.test`;
  await world.emulator.control('POST', '/mailboxes', { address, password: 'pw-123456', displayName: 'Big' });
  await world.emulator.control('POST', `/mailboxes/${address}/seed`, { messages });
  const owner = await newApiUser(world.producer.url);
  const landing = await connectOutlookThroughApi(world.producer.url, owner, {
    username: address,
    password: 'pw-123456',
  });
  if (landing.searchParams.get('outlook') !== 'connected') throw new Error(`connect: ${landing.href}`);
  return { id: owner.id, address };
}
