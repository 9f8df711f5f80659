// A scripted "day at Exchange" (issue 20, Must show): one user, one mailbox connected through the API, mail
// arriving and changing all day, and everything live Exchange Online does to a client in a day, in order:
// routine reauthorizationRequired, delta tokens evicted, a 504 storm, a `missed` burst, a new folder, a
// disconnect and reconnect, a 503 storm longer than the old retry budget, meeting requests. The real stack
// with every piece a process of its own (see support/day-stack.ts): only the product keeps the copy; the
// test changes the mailbox through the emulator's control API and looks at the outcome. Each step ends with
// the copy equal to the mailbox; the day ends with the subscription alive and renewed.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@core-email/contracts';
import { eventually } from '@core-email/platform/testing';
import { copyDifferences } from './support/day-truth';
import { DayStack, startDayStack } from './support/day-stack';
import { tapTopics, TopicTap } from './support/day-tap';
import { ApiUser, callApi, connectOutlookThroughApi, newApiUser } from './support/producer-process';

/** What one step may take to settle: generous against a busy 2-core machine, bounded so a defect fails. */
const SETTLE_MS = 60_000;

interface EmulatorSubscription {
  id: string;
  mailboxId: string;
  expirationDateTime: string;
  /** Expiry of the token it was last made, renewed or reauthorized with: past it, Exchange holds delivery. */
  accessTokenExpiresAt: number;
}

interface Counters {
  notificationsDropped: number;
}

let stack: DayStack;
/** What the webhook made of Exchange's notifications (update_email_subscription). */
let tap: TopicTap;
let user: ApiUser;
let mailboxId: string;
let firstSubscription: EmulatorSubscription;
let reconnectedSubscription: EmulatorSubscription;
const address = `day-${randomUUID()}@contoso.test`;
const password = 'pw-day-123456';

const control = (method: string, path: string, body?: unknown) => stack.emulator.control(method, path, body);

before(async () => {
  stack = await startDayStack();
  tap = await tapTopics(stack.kafka, [TOPICS.updateEmailSubscription]);
  user = await newApiUser(stack.producer.url);
  const mb = (await control('POST', '/mailboxes', { address, password, displayName: 'Day User' })) as {
    id: string;
  };
  mailboxId = mb.id;
  await control('POST', `/mailboxes/${address}/seed`, { messages: 60 });
  await connect();
  firstSubscription = await liveSubscription('the first subscription');
});

after(async () => {
  await tap?.stop();
  await stack?.stop();
});

/** A step; when it fails, what the consumer logged at warn and above is printed with it. */
function step(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      const warnings = stack.consumer.logs.filter((l) => Number(l.level) >= 40).slice(-40);
      console.error(
        `consumer warnings (last ${warnings.length}):\n${warnings.map((w) => JSON.stringify(w)).join('\n')}`,
      );
      throw error;
    }
  });
}

/** Connects the mailbox through the API and waits for the sync the connection starts. */
async function connect(): Promise<void> {
  const since = new Date();
  const landing = await connectOutlookThroughApi(stack.producer.url, user, { username: address, password });
  assert.equal(landing.searchParams.get('outlook'), 'connected');
  await eventually(
    async () =>
      (
        (await stack.db.query(
          `SELECT 1 FROM sync_runs WHERE user_id = $1 AND reason = 'connected' AND status = 'finished' AND started_at >= $2`,
          [user.id, since],
        )) as unknown[]
      ).length > 0,
    SETTLE_MS,
    'the sync the connection started',
  );
}

async function subscriptionsAtExchange(): Promise<EmulatorSubscription[]> {
  const { value } = (await control('GET', '/subscriptions')) as { value: EmulatorSubscription[] };
  return value.filter((s) => s.mailboxId === mailboxId);
}

async function activeRow(): Promise<string | undefined> {
  const [r] = (await stack.db.query(
    `SELECT graph_subscription_id FROM graph_subscriptions WHERE user_id = $1 AND status = 'active'`,
    [user.id],
  )) as { graph_subscription_id: string }[];
  return r?.graph_subscription_id;
}

/** The mailbox's one subscription at the emulator, once it is also the product's active row. */
async function liveSubscription(what: string, not?: string): Promise<EmulatorSubscription> {
  return eventually(
    async () => {
      const subs = await subscriptionsAtExchange();
      const row = await activeRow();
      return subs.length === 1 && subs[0].id === row && subs[0].id !== not ? subs[0] : undefined;
    },
    SETTLE_MS,
    what,
  );
}

async function counters(): Promise<Counters> {
  return (await control('GET', `/mailboxes/${address}/counters`)) as Counters;
}

async function deliveryMode(): Promise<string> {
  const [r] = (await stack.db.query(`SELECT delivery_mode FROM outlook_accounts WHERE user_id = $1`, [
    user.id,
  ])) as { delivery_mode: string }[];
  return r.delivery_mode;
}

async function deliver(fields: Record<string, unknown>): Promise<string> {
  const m = (await control('POST', `/mailboxes/${address}/messages`, {
    bodyHtml: '<p>a day at Exchange</p>',
    from: { name: 'Colleague', address: 'colleague@example.test' },
    ...fields,
  })) as { id: string };
  return m.id;
}

async function deliverMany(count: number, subject: string): Promise<string[]> {
  const { delivered } = (await control('POST', '/mailboxes/deliveries', {
    messages: Array.from({ length: count }, (_, i) => ({
      mailbox: address,
      subject: `${subject} #${i + 1}`,
    })),
  })) as { delivered: { id: string }[] };
  return delivered.map((d) => d.id);
}

async function change(id: string, patch: Record<string, unknown>): Promise<void> {
  await control('PATCH', `/mailboxes/${address}/messages/${encodeURIComponent(id)}`, patch);
}

async function move(id: string, destination: string): Promise<void> {
  await control('POST', `/mailboxes/${address}/messages/${encodeURIComponent(id)}/move`, { destination });
}

async function messagesIn(folder: string): Promise<{ id: string; isRead: boolean }[]> {
  return (
    (await control('GET', `/mailboxes/${address}/folders/${folder}/messages`)) as {
      value: { id: string; isRead: boolean }[];
    }
  ).value;
}

/** Waits until the copy equals the mailbox: every message, its folder, read state, flag, subject, change key. */
async function settled(what: string, timeoutMs = SETTLE_MS): Promise<void> {
  await eventually(
    async () => {
      const diff = await copyDifferences(stack.db, control, address, user.id);
      if (diff.length > 0) throw new Error(`${diff.length} differences: ${diff.slice(0, 8).join('; ')}`);
      return true;
    },
    timeoutMs,
    `the copy equal to the mailbox ${what}`,
  );
}

/** A Graph outage for `ms` (the control API's faults), lifted whatever happens. */
async function storm(
  settings: Record<string, unknown>,
  ms: number,
  during: () => Promise<void>,
): Promise<void> {
  await control('PUT', '/faults', { errorRate: 1, ...settings });
  try {
    const ends = sleep(ms);
    await during();
    await ends;
  } finally {
    await control('DELETE', '/faults');
  }
}

const RETRY_LOGS = new Set(['Graph request failed; retrying it', 'Graph throttled the mailbox; pausing it']);

/** Whether the consumer logged a Graph request answered `status` and tried again, since log line `from`. */
function retriedAfter(status: number, from: number): boolean {
  return stack.consumer.logs.slice(from).some((l) => RETRY_LOGS.has(String(l.msg)) && l.status === status);
}

/** This user's messages read on `topic` that the webhook received at `since` or later. */
function tapped(topic: string, since: number): Array<Record<string, unknown>> {
  return tap.messages
    .filter((m) => m.topic === topic && m.value.userId === user.id)
    .map((m) => m.value)
    .filter((v) => Date.parse(String(v.receivedAt)) >= since);
}

async function folderRounds(): Promise<Record<string, string>> {
  const rows = (await stack.db.query(
    `SELECT graph_id, round::text AS round FROM mail_folders WHERE user_id = $1`,
    [user.id],
  )) as { graph_id: string; round: string }[];
  return Object.fromEntries(rows.map((r) => [r.graph_id, r.round]));
}

async function inboxDeltaLink(): Promise<string> {
  const inbox = (
    (await control('GET', `/mailboxes/${address}`)) as { folders: { id: string; wellKnownName: string }[] }
  ).folders.find((f) => f.wellKnownName === 'inbox')!;
  const [r] = (await stack.db.query(
    `SELECT delta_link FROM mail_folders WHERE user_id = $1 AND graph_id = $2`,
    [user.id, inbox.id],
  )) as { delta_link: string }[];
  return r.delta_link;
}

step('the mailbox is connected, synced exactly and subscribed', async () => {
  await settled('after the first sync');
  assert.equal(await deliveryMode(), 'push');
});

step(
  '1. a routine reauthorizationRequired (the token nearing expiry, nothing revoked) is answered and notifications keep flowing',
  async () => {
    const morning = await deliver({ subject: 'good morning' });
    await settled('with the morning mail');
    await eventually(
      async () =>
        (await stack.metric('core_email_subscription_operations_total', { operation: 'reauthorize' })) >= 1,
      SETTLE_MS,
      'the product reauthorizing the subscription',
    );
    await eventually(
      async () =>
        tapped(TOPICS.updateEmailSubscription, 0).some((m) => m.lifecycleEvent === 'reauthorizationRequired'),
      SETTLE_MS,
      'the reauthorizationRequired through the webhook',
    );
    // Past the expiry of the token the subscription was made with: had the product not reauthorized (or
    // renewed) with a newer one, Exchange would drop these changes' notifications now.
    await eventually(
      async () => Date.now() > firstSubscription.accessTokenExpiresAt + 1_000,
      SETTLE_MS,
      'the first token expired',
    );
    await change(morning, { isRead: true, flagStatus: 'flagged' });
    await deliver({ subject: 'after the first token expired' });
    await settled('after the first token expired');
    assert.equal((await counters()).notificationsDropped, 0, 'no notification held back by Exchange');
    assert.equal(await deliveryMode(), 'push');
  },
);

step(
  '2. more real-time passes than Exchange keeps delta generations (3): every change applies, no folder is read again',
  async () => {
    const rounds = await folderRounds();
    const links = new Set([await inboxDeltaLink()]);
    const inbox = await messagesIn('inbox');
    // Until the inbox's delta ran more times than Exchange keeps generations (at most 8 rounds).
    for (let round = 1; links.size <= 4 && round <= 8; round++) {
      // 21 new messages and 3 changes: more than a pass fetches by id (20), so the pass runs the deltas.
      await deliverMany(21, `round ${round}`);
      const [a, b, c] = inbox.slice(round * 3, round * 3 + 3);
      await change(a.id, { isRead: !a.isRead });
      await change(b.id, { flagStatus: 'complete' });
      await change(c.id, { subject: `renamed in round ${round}` });
      await settled(`after round ${round}`);
      links.add(await inboxDeltaLink());
    }
    assert.ok(links.size > 4, `the inbox's delta ran ${links.size - 1} times, more than 3 generations`);
    assert.deepEqual(await folderRounds(), rounds, 'no folder had to start a fresh round (no 410)');
    assert.equal((await counters()).notificationsDropped, 0, 'no notification held back by Exchange');
  },
);

step(
  '3. a 504 storm on message reads while mail arrives and changes: the copy catches up once it passes',
  async () => {
    const from = stack.consumer.logs.length;
    const inbox = await messagesIn('inbox');
    await storm({ errorStatus: 504, pathPattern: '/messages' }, 8_000, async () => {
      await deliver({ subject: 'during the 504 storm', importance: 'high' });
      await change(inbox[0].id, { isRead: !inbox[0].isRead });
      await change(inbox[1].id, { flagStatus: 'flagged' });
      await move(inbox[2].id, 'archive');
      await eventually(async () => retriedAfter(504, from), 8_000, 'the product meeting the storm');
    });
    await deliver({ subject: 'after the 504 storm' });
    await settled('after the 504 storm');
  },
);

step(
  '4. a burst of 32 messages moved at once: Exchange sends `missed` instead of their notifications, the product catches up',
  async () => {
    const dropped = (await counters()).notificationsDropped;
    const since = Date.now();
    const ids = (await messagesIn('inbox')).slice(0, 32).map((m) => m.id);
    assert.equal(ids.length, 32);
    await control('POST', `/mailboxes/${address}/messages/move`, { ids, destination: 'archive' });
    await eventually(
      async () => tapped(TOPICS.updateEmailSubscription, since).some((m) => m.lifecycleEvent === 'missed'),
      SETTLE_MS,
      'the missed event through the webhook',
    );
    assert.ok(
      (await counters()).notificationsDropped > dropped,
      'Exchange withheld the notifications of the burst',
    );
    await settled('after the burst');
  },
);

step('5. a folder created during the day receives mail: found, synced, its mail in the copy', async () => {
  const folder = (await control('POST', `/mailboxes/${address}/folders`, {
    displayName: 'Expenses 2026',
  })) as {
    id: string;
  };
  await deliver({ subject: 'receipt: train ticket', folder: folder.id });
  await move((await messagesIn('inbox'))[0].id, folder.id);
  await settled('after mail filed into the new folder');
  const [stored] = (await stack.db.query(
    `SELECT display_name FROM mail_folders WHERE user_id = $1 AND graph_id = $2`,
    [user.id, folder.id],
  )) as { display_name: string }[];
  assert.equal(stored?.display_name, 'Expenses 2026');
});

step(
  '6. disconnect, then connect again: the subscription goes with the connection and comes back with it, real time works again',
  async () => {
    const gone = await callApi(stack.producer.url, 'DELETE', '/api/outlook', undefined, user.token);
    assert.equal(gone.status, 204);
    await eventually(
      async () => (await subscriptionsAtExchange()).length === 0 && (await activeRow()) === undefined,
      SETTLE_MS,
      'no subscription left once disconnected',
    );
    await deliver({ subject: 'arrived while disconnected' });
    await connect();
    reconnectedSubscription = await liveSubscription(
      'a new subscription after reconnecting',
      firstSubscription.id,
    );
    await settled('after reconnecting (the mail that came meanwhile included)');
    const since = Date.now();
    const id = await deliver({ subject: 'after reconnecting' });
    await settled('with mail after reconnecting');
    await eventually(
      async () =>
        tapped(TOPICS.updateEmailSubscription, since).some((m) => m.kind === 'change' && m.messageId === id),
      SETTLE_MS,
      'its notification through the webhook',
    );
    assert.equal(await deliveryMode(), 'push');
  },
);

step(
  '7. a 10 s 503 storm on every Graph request (the old retry budget was 3.5 s): nothing is lost',
  async () => {
    const from = stack.consumer.logs.length;
    const inbox = await messagesIn('inbox');
    await storm({ errorStatus: 503 }, 10_000, async () => {
      await deliver({ subject: 'during the 503 storm' });
      await change(inbox[0].id, { subject: 'edited during the 503 storm' });
      await change(inbox[1].id, { isRead: !inbox[1].isRead, flagStatus: 'flagged' });
      await move(inbox[2].id, 'deleteditems');
      await eventually(async () => retriedAfter(503, from), 10_000, 'the product meeting the storm');
    });
    await settled('after the 503 storm');
  },
);

step('8. meeting requests, a cancellation and a response among the mail', async () => {
  await deliver({ type: 'eventMessage', subject: 'Quarterly planning', location: 'Room 4' });
  await deliver({
    type: 'eventMessage',
    meetingMessageType: 'meetingCancelled',
    subject: 'Cancelled: stand-up',
  });
  await deliver({ type: 'eventMessage', meetingMessageType: 'meetingAccepted', subject: 'Accepted: 1:1' });
  await deliver({ subject: 'an ordinary message after the meetings' });
  await settled('with the meeting messages');
});

step(
  'at the end of the day the copy equals the mailbox, and the subscription is alive and was renewed',
  async () => {
    assert.deepEqual(await copyDifferences(stack.db, control, address, user.id), []);
    const live = await liveSubscription('the live subscription');
    assert.ok(
      live.accessTokenExpiresAt > Date.now(),
      'Exchange is delivering (not held for reauthorization)',
    );
    assert.equal(
      live.id,
      reconnectedSubscription.id,
      'the subscription made on reconnecting is the one alive',
    );
    await eventually(
      async () => {
        const [now] = await subscriptionsAtExchange();
        return (
          now && Date.parse(now.expirationDateTime) > Date.parse(reconnectedSubscription.expirationDateTime)
        );
      },
      SETTLE_MS,
      'a renewal of the live subscription (its expiry moved)',
    );
    assert.ok((await stack.metric('core_email_subscription_operations_total', { operation: 'renew' })) >= 1);
    assert.equal(await deliveryMode(), 'push');
  },
);
