// Disconnect and account deletion delete the mailbox's Graph subscription at the (stack's) emulator, and a
// Graph that cannot be reached never blocks either. The subscription is made here the way the consumer
// makes it (POST /subscriptions with the mailbox's token, then the row), against a local receiver that
// answers the validation handshake.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { DataSource } from 'typeorm';
import { GraphSubscriptionsRepository, MailboxTokens } from '@core-email/platform';
import { RunningProducer, startProducer } from './support/app';
import { connectOutlook, emulatorControl, newMailbox } from './support/outlook';
import { apiClient, ApiClient, newUser, TestUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;
let db: DataSource;
let receiver: Server;
let receiverUrl: string;

before(async () => {
  producer = await startProducer({});
  api = apiClient(producer.url);
  db = producer.app.get(DataSource);
  receiver = createServer((req, res) => {
    req.resume();
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
    if (token === null) res.writeHead(202).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});

after(async () => {
  await producer?.app.close();
  await new Promise((done) => receiver?.close(done));
});

/** A connected user with a live subscription, at the emulator and in graph_subscriptions. */
async function subscribedUser(): Promise<{ user: TestUser; id: string; address: string }> {
  const user = await newUser(api);
  const mailbox = await newMailbox();
  const location = await connectOutlook(producer, api, user, mailbox);
  assert.ok(location?.search.includes('connected'), `connect: ${location}`);
  const token = await producer.app.get(MailboxTokens).getAccessToken(user.id);
  const clientState = randomBytes(32).toString('base64url');
  const res = await fetch(`${producer.config.env.GRAPH_BASE_URL}/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      changeType: 'created,updated,deleted',
      resource: 'me/messages',
      notificationUrl: `${receiverUrl}/api/webhooks/graph/notifications`,
      lifecycleNotificationUrl: `${receiverUrl}/api/webhooks/graph/lifecycle`,
      expirationDateTime: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      clientState,
    }),
  });
  const sub = (await res.json()) as { id: string; expirationDateTime: string };
  assert.equal(res.status, 201, JSON.stringify(sub));
  await new GraphSubscriptionsRepository(db).insertActive({
    userId: user.id,
    graphSubscriptionId: sub.id,
    resource: 'me/messages',
    changeTypes: 'created,updated,deleted',
    clientState,
    expiresAt: new Date(sub.expirationDateTime),
  });
  return { user, id: sub.id, address: mailbox.username };
}

async function atEmulator(id: string): Promise<boolean> {
  const { value } = (await emulatorControl('GET', '/subscriptions')) as { value: { id: string }[] };
  return value.some((s) => s.id === id);
}

test('disconnect deletes the subscription at Graph before dropping the tokens', async () => {
  const { user, id } = await subscribedUser();
  assert.equal(await atEmulator(id), true);
  assert.equal((await api.call('DELETE', '/api/outlook', undefined, user.token)).status, 204);
  assert.equal(await atEmulator(id), false);
  const [row] = await db.query(`SELECT status FROM graph_subscriptions WHERE graph_subscription_id = $1`, [
    id,
  ]);
  assert.equal(row.status, 'removed');
});

test('account deletion deletes the subscription at Graph', async () => {
  const { user, id } = await subscribedUser();
  const res = await api.call('DELETE', '/api/me', { password: user.password }, user.token);
  assert.ok(res.status < 300, `delete account: ${res.status}`);
  assert.equal(await atEmulator(id), false);
  assert.deepEqual(
    await db.query(`SELECT 1 FROM graph_subscriptions WHERE graph_subscription_id = $1`, [id]),
    [],
  );
});

test('a Graph that fails never blocks disconnect', async () => {
  const { user, id, address } = await subscribedUser();
  // Only this subscription's URL fails: the emulator is shared with other suites.
  await emulatorControl('PUT', '/faults', {
    errorRate: 1,
    errorStatus: 500,
    pathPattern: `subscriptions/${id}`,
  });
  try {
    assert.equal((await api.call('DELETE', '/api/outlook', undefined, user.token)).status, 204);
  } finally {
    await emulatorControl('DELETE', '/faults');
  }
  const [row] = await db.query(`SELECT status FROM outlook_accounts WHERE user_id = $1`, [user.id]);
  assert.equal(row.status, 'disconnected');
  // Left behind at Graph (it would expire on its own); removed here for the shared emulator's sake.
  assert.equal(await atEmulator(id), true);
  await emulatorControl('POST', `/mailboxes/${address}/lifecycle`, { event: 'subscriptionRemoved' });
});
