// Lifecycle events as Exchange Online sends them, through msal-node, the Graph client and a local webhook
// receiver: routine reauthorizationRequired as the subscription's access token nears expiry, paused delivery
// once it has expired until reauthorize or a renewal with a live token, no subscriptionRemoved on natural
// expiry (the documented dialect still sends it), and one `missed` instead of a burst of notifications.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { GRAPH_SCOPES, signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';
import { WebhookReceiver } from './support/webhook';

const inAnHour = () => new Date(Date.now() + 60 * 60_000).toISOString();

function subscriptionBody(hook: WebhookReceiver, changeType = 'created,updated,deleted') {
  return {
    changeType,
    notificationUrl: `${hook.url}/notify`,
    lifecycleNotificationUrl: `${hook.url}/lifecycle`,
    resource: 'me/messages',
    expirationDateTime: inAnHour(),
    clientState: 'cs',
  };
}

const lifecycleEvents = (hook: WebhookReceiver, event: string) =>
  hook.notifications('/lifecycle').filter((n) => n.lifecycleEvent === event);

async function counters(emulator: TestEmulator): Promise<Record<string, number>> {
  return emulator.control('GET', '/mailboxes/demo@contoso.test/counters');
}

async function deliver(emulator: TestEmulator, subject: string): Promise<string> {
  return (
    await emulator.control<{ id: string }>('POST', '/mailboxes/demo@contoso.test/messages', { subject })
  ).id;
}

describe('routine reauthorization as the access token nears expiry', () => {
  let emulator: TestEmulator;
  let hook: WebhookReceiver;
  before(async () => {
    emulator = await startTestEmulator({
      EMULATOR_ACCESS_TOKEN_LIFETIME_SECONDS: '4',
      EMULATOR_REAUTH_LEAD_SECONDS: '3',
      EMULATOR_REAUTH_REPEAT_SECONDS: '1',
    });
    hook = await new WebhookReceiver().start();
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
  });

  it('warns repeatedly, pauses delivery once the token expired, and resumes on reauthorize or renewal', async () => {
    const { app, result } = await signIn(emulator);
    const sub = await graphClient(emulator, () => result.accessToken)
      .api('/subscriptions')
      .post(subscriptionBody(hook));
    await deliver(emulator, 'while the token is live');
    await hook.waitFor(() => hook.notifications('/notify').some((n) => n.changeType === 'created'));

    await hook.waitFor(() => lifecycleEvents(hook, 'reauthorizationRequired').length >= 2);
    const [warning] = lifecycleEvents(hook, 'reauthorizationRequired');
    assert.equal(warning.subscriptionId, sub.id);
    assert.equal(warning.organizationId, emulator.ctx.state.tenantId);
    assert.equal(warning.resource, `Subscriptions/${sub.id}`);

    // Once the token the subscription was created with has expired, changes are not delivered.
    await sleep(Math.max(0, result.expiresOn!.getTime() - Date.now()) + 1100);
    const delivered = hook.notifications('/notify').length;
    const droppedBefore = (await counters(emulator)).notificationsDropped;
    await deliver(emulator, 'while paused');
    await sleep(300);
    assert.equal(hook.notifications('/notify').length, delivered, 'nothing delivered while paused');
    assert.equal(
      (await counters(emulator)).notificationsDropped,
      droppedBefore + 2,
      'created + updated dropped',
    );

    const refresh = () =>
      app.acquireTokenSilent({ account: result.account!, scopes: GRAPH_SCOPES, forceRefresh: true });
    const second = await refresh();
    await graphClient(emulator, () => second.accessToken)
      .api(`/subscriptions/${sub.id}/reauthorize`)
      .post({});
    assert.equal(emulator.ctx.state.subscriptions.get(sub.id)?.reauthorizationSentAt, null);
    await deliver(emulator, 'after reauthorize');
    await hook.waitFor(() => hook.notifications('/notify').length >= delivered + 2);

    // The renewal PATCH with a live token reauthorizes too.
    await sleep(Math.max(0, second.expiresOn!.getTime() - Date.now()) + 1100);
    const third = await refresh();
    await graphClient(emulator, () => third.accessToken)
      .api(`/subscriptions/${sub.id}`)
      .patch({ expirationDateTime: inAnHour() });
    const beforeRenewed = hook.notifications('/notify').length;
    await deliver(emulator, 'after renewal');
    await hook.waitFor(() => hook.notifications('/notify').length >= beforeRenewed + 2);
  });
});

describe('natural expiry', () => {
  let hook: WebhookReceiver;
  before(async () => {
    hook = await new WebhookReceiver().start();
  });
  after(async () => hook.stop());

  async function expireOne(dialect: string): Promise<{ emulator: TestEmulator; id: string }> {
    const emulator = await startTestEmulator({ EMULATOR_DIALECT: dialect });
    const { result } = await signIn(emulator);
    const client: Client = graphClient(emulator, () => result.accessToken);
    const sub = await client.api('/subscriptions').post(subscriptionBody(hook));
    await emulator.control('POST', `/subscriptions/${sub.id}/expire`);
    const deadline = Date.now() + 5000;
    while (emulator.ctx.state.subscriptions.has(sub.id) && Date.now() < deadline) await sleep(50);
    assert.equal((await expectGraphError(client.api(`/subscriptions/${sub.id}`).get())).statusCode, 404);
    return { emulator, id: sub.id };
  }

  it('deletes an expired subscription without a subscriptionRemoved (exchange-online)', async () => {
    const { emulator, id } = await expireOne('exchange-online');
    await sleep(500);
    await emulator.stop();
    assert.deepEqual(
      hook.notifications('/lifecycle').filter((n) => n.subscriptionId === id),
      [],
    );
  });

  it('still sends subscriptionRemoved in the documented dialect', async () => {
    const { emulator, id } = await expireOne('documented');
    await hook.waitFor(() => hook.notifications('/lifecycle').some((n) => n.subscriptionId === id));
    await emulator.stop();
    const [event] = hook.notifications('/lifecycle').filter((n) => n.subscriptionId === id);
    assert.equal(event.lifecycleEvent, 'subscriptionRemoved');
  });
});

describe('bursts', () => {
  let emulator: TestEmulator;
  let hook: WebhookReceiver;
  let client: Client;
  before(async () => {
    emulator = await startTestEmulator({ EMULATOR_MISSED_BURST_WINDOW_MS: '3000' });
    hook = await new WebhookReceiver().start();
    const { result } = await signIn(emulator);
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
  });

  it('sends one missed instead of the notifications of more than 25 moves at once; new mail is notified', async () => {
    const sub = await client.api('/subscriptions').post(subscriptionBody(hook));
    const messages = Array.from({ length: 30 }, (_, i) => ({
      mailbox: 'demo@contoso.test',
      subject: `burst ${i}`,
    }));
    const { delivered } = await emulator.control<{ delivered: { id: string }[] }>(
      'POST',
      '/mailboxes/deliveries',
      {
        messages,
      },
    );
    // 30 new messages at once are notified, each as created + updated.
    await hook.waitFor(() => hook.notifications('/notify').length >= 60);
    assert.equal(lifecycleEvents(hook, 'missed').length, 0);
    assert.equal((await counters(emulator)).notificationsDropped, 0);

    // A bulk move of the 30 (one control request, as a mail client's "move all" is one burst for Exchange).
    const sentBefore = hook.notifications('/notify').length;
    await emulator.control('POST', '/mailboxes/demo@contoso.test/messages/move', {
      ids: delivered.map((m) => m.id),
      destination: 'archive',
    });
    await hook.waitFor(() => lifecycleEvents(hook, 'missed').length >= 1);
    await sleep(300);
    const [missed] = lifecycleEvents(hook, 'missed');
    assert.equal(missed.subscriptionId, sub.id);
    assert.equal(missed.organizationId, emulator.ctx.state.tenantId);
    assert.equal(
      hook.notifications('/notify').length,
      sentBefore,
      'no per-message notifications for the moves',
    );
    assert.equal(
      (await counters(emulator)).notificationsDropped,
      60,
      '30 × (created of the new id + deleted of the old one)',
    );

    // Once the burst window has passed, changes are notified one by one again.
    await sleep(3100);
    await deliver(emulator, 'after the burst');
    await hook.waitFor(() => hook.notifications('/notify').length >= sentBefore + 2);

    // Moves one Graph call at a time, quicker than the window: what was not sent before it overflowed is dropped.
    await sleep(3100);
    const sentBeforeLoop = hook.notifications('/notify').length;
    for (const { id } of delivered.slice(0, 28))
      await client.api(`/me/messages/${id}/move`).post({ destinationId: 'inbox' });
    await hook.waitFor(() => lifecycleEvents(hook, 'missed').length >= 2);
    await sleep(300);
    const sentForMoves = hook.notifications('/notify').length - sentBeforeLoop;
    const dropped = (await counters(emulator)).notificationsDropped - 60;
    assert.ok(sentForMoves <= 50, `at most 25 moves notified (${sentForMoves} notifications)`);
    assert.equal(sentForMoves + dropped, 56, '28 × (created + deleted)');
    assert.equal(lifecycleEvents(hook, 'missed').length, 2, 'one missed per burst');
  });
});
