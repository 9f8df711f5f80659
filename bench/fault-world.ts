// What the fault suite runs its load through, every piece a process of its own as in production: an emulator of
// its own (http webhooks allowed), the real producer on a fixed port (a restarted one comes back there, where
// Graph's webhook URL points), one or more real consumers in a fresh group, and N users who signed up through
// the API, connected an emulator mailbox through the real OAuth flow and hold their event stream open.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { inParallel, runMigrations } from '@core-email/platform';
import { EmulatorProcess, eventually, startEmulatorProcess } from '@core-email/platform/testing';
import {
  ConsumerProcess,
  emulatorEnv,
  freePort,
  startConsumerProcess,
  groupAtTopicEnd,
  testKafka,
  waitForGroup,
  callApi,
  connectOutlookThroughApi,
  EventStream,
  openEventStream,
  ProducerProcess,
  startProducerProcess,
  startSyncContext,
} from 'core-email-consumer/testing';

export interface FleetUser {
  id: string;
  email: string;
  password: string;
  token: string;
  address: string;
  stream: EventStream;
}

export interface World {
  emulator: EmulatorProcess;
  producer: ProducerProcess;
  producerPort: number;
  consumers: ConsumerProcess[];
  group: string;
  db: DataSource;
  users: FleetUser[];
  /** Starts one more consumer in the group (a replica, or the one that replaces a killed one). */
  addConsumer(): Promise<ConsumerProcess>;
  restartProducer(): Promise<void>;
  close(): Promise<void>;
}

const PASSWORD = 'correct horse battery';
/** A producer that has not exited this long after SIGTERM is a defect (killed, and the case fails). */
const STOP_DEADLINE_MS = 30_000;
const PRODUCER_ENV = { LOG_LEVEL: 'error' };
const CONSUMER_ENV = { LOG_LEVEL: 'info', SUBSCRIPTION_SCHEDULER_ENABLED: 'false' };

export async function startWorld(
  mailboxes: number,
  consumers = 1,
  consumerEnv: NodeJS.ProcessEnv = {},
): Promise<World> {
  const emulator = await startEmulatorProcess({
    EMULATOR_ALLOW_HTTP_NOTIFICATIONS: 'true',
    // Graph retries a refused notification on a schedule of its own (unpublished, within 4 h); 2 s keeps the
    // suite's recovery about the product, not about the emulator's backoff.
    EMULATOR_NOTIFICATION_RETRY_INITIAL_MS: '2000',
  });
  const { app, config } = await startSyncContext({ ...emulatorEnv(emulator.url), LOG_LEVEL: 'error' });
  await runMigrations(config.infra.database);
  const db = app.get<DataSource>(getDataSourceToken());
  const kafka = testKafka();
  const producerPort = await freePort();
  const producerEnv = { ...PRODUCER_ENV, PORT: String(producerPort) };
  let producer = await startProducerProcess(emulator.url, producerEnv);
  const group = `faults-${randomUUID()}`;
  await groupAtTopicEnd(kafka, group);
  const running: ConsumerProcess[] = [];
  const addConsumer = async () => {
    const c = await startConsumerProcess(group, emulator.url, {
      ...CONSUMER_ENV,
      ...consumerEnv,
      PUBLIC_BASE_URL: producer.url,
    });
    running.push(c);
    return c;
  };
  for (let i = 0; i < consumers; i++) await addConsumer();
  await waitForGroup(kafka, group, consumers);
  const users: FleetUser[] = [];
  await inParallel(
    Array.from({ length: mailboxes }, (_, i) => i),
    4,
    async () => {
      users.push(await newFleetUser(producer.url, emulator, db));
    },
  );
  return {
    emulator,
    get producer() {
      return producer;
    },
    producerPort,
    consumers: running,
    group,
    db,
    users,
    addConsumer,
    async restartProducer() {
      const stopped = await Promise.race([
        producer.kill('SIGTERM').then(() => true),
        sleep(STOP_DEADLINE_MS).then(() => false),
      ]);
      if (!stopped) await producer.kill('SIGKILL');
      producer = await startProducerProcess(emulator.url, producerEnv);
      if (!stopped)
        throw new Error(`the producer did not stop within ${STOP_DEADLINE_MS / 1000} s of SIGTERM`);
    },
    async close() {
      for (const u of users) u.stream.close();
      await Promise.all(running.map((c) => c.kill('SIGTERM')));
      await producer.kill('SIGTERM');
      await app.close();
      await emulator.stop();
    },
  };
}

/** Signs up, logs in, opens the event stream and connects a seeded mailbox; waits for its subscription. */
export async function newFleetUser(
  producerUrl: string,
  emulator: EmulatorProcess,
  db: DataSource,
  seed = 20,
): Promise<FleetUser> {
  const email = `faults-${randomUUID()}@example.test`;
  const signUp = await callApi(producerUrl, 'POST', '/api/auth/sign-up', {
    email,
    userName: 'Faults',
    password: PASSWORD,
  });
  if (signUp.status !== 201) throw new Error(`sign-up: ${signUp.status} ${JSON.stringify(signUp.body)}`);
  const logIn = await callApi(producerUrl, 'POST', '/api/auth/log-in', { email, password: PASSWORD });
  if (logIn.status !== 200) throw new Error(`log-in: ${logIn.status}`);
  const token = logIn.body.accessToken as string;
  const id = logIn.body.user.id as string;
  const stream = await openEventStream(producerUrl, token);
  const address = `faults-${randomUUID()}@contoso.test`;
  await emulator.control('POST', '/mailboxes', { address, password: 'pw-123456', displayName: 'Faults' });
  await emulator.control('POST', `/mailboxes/${address}/seed`, { messages: seed });
  const landing = await connectOutlookThroughApi(
    producerUrl,
    { id, token },
    { username: address, password: 'pw-123456' },
  );
  if (landing.searchParams.get('outlook') !== 'connected') throw new Error(`connect: ${landing.href}`);
  await until(`${address} subscribed`, 90_000, async () => {
    const [sub] = (await db.query(`SELECT status FROM graph_subscriptions WHERE user_id = $1`, [id])) as {
      status: string;
    }[];
    return sub?.status === 'active';
  });
  return { id, email, password: PASSWORD, token, address, stream };
}

/** Polls `probe` every 200 ms until it holds or `ms` pass; a probe that throws counts as "not yet". */
export async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  await eventually(probe, ms, what, 200);
}
