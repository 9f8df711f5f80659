// Change notifications through the Graph client and a local webhook receiver: the validation handshake,
// notifications in Exchange Online's shape (new mail as created + updated), subscription rules, and
// lifecycle events for revoked grants, removed subscriptions and deliveries dropped after retries.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { GRAPH_SCOPES, signIn } from './support/msal';
import { expectGraphError, graphClient } from './support/graph';
import { WebhookReceiver } from './support/webhook';

const inAnHour = () => new Date(Date.now() + 60 * 60_000).toISOString();

describe('subscriptions and change notifications', () => {
  let emulator: TestEmulator;
  let client: Client;
  let hook: WebhookReceiver;
  const mailbox = 'notify@contoso.test';

  before(async () => {
    emulator = await startTestEmulator();
    hook = await new WebhookReceiver().start();
    await emulator.control('POST', '/mailboxes', {
      address: mailbox,
      password: 'pw',
      displayName: 'Notify User',
    });
    await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 50 });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
  });

  it('validates both URLs, then notifies each change in Exchange Online shape', async () => {
    const inbox = await client.api('/me/mailFolders/inbox').get();
    const sub = await client
      .api('/subscriptions')
      .header('Prefer', 'IdType="ImmutableId"')
      .post({
        changeType: 'created,updated,deleted',
        notificationUrl: `${hook.url}/notify?tenant=a`,
        lifecycleNotificationUrl: `${hook.url}/lifecycle`,
        resource: `me/mailFolders('${inbox.id}')/messages`,
        expirationDateTime: inAnHour(),
        clientState: 'secret-client-state',
      });
    assert.equal(hook.validations.length, 2, 'notificationUrl and lifecycleNotificationUrl were validated');
    assert.match(
      hook.validations[0],
      /^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/,
    );
    assert.equal(sub.changeType, 'created,updated,deleted');
    assert.equal(sub.clientState, 'secret-client-state');
    assert.equal(sub.applicationId, '6731de76-14a6-49ae-97bc-6eba6914391e');
    assert.ok(Date.parse(sub.expirationDateTime) > Date.now() + 44 * 60_000);

    const created = await emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, {
      subject: 'hello',
    });
    await client.api(`/me/messages/${created.id}`).patch({ isRead: true });
    await client.api(`/me/messages/${created.id}/move`).post({ destinationId: 'archive' });
    await hook.waitFor(() => hook.notifications('/notify').length >= 4);
    await sleep(200);
    const got = hook.notifications('/notify');
    // New mail is notified as created and then updated; the move out of the folder is a delete.
    assert.deepEqual(
      got.map((n) => n.changeType),
      ['created', 'updated', 'updated', 'deleted'],
    );
    const mailboxId = emulator.ctx.state.mailboxByAddress(mailbox)!.identity.id;
    for (const n of got) {
      assert.equal(n.subscriptionId, sub.id);
      assert.equal(n.clientState, 'secret-client-state');
      assert.equal(n.tenantId, emulator.ctx.state.tenantId);
      assert.equal(n.resource, `Users/${mailboxId}/Messages/${created.id}`, 'immutable ids, as asked for');
      assert.equal(typeof n.id, 'string', "the changeNotification's optional id");
      assert.equal(n.encryptedContent, null);
      assert.equal(n.lifecycleEvent, null);
      const data = n.resourceData as Record<string, string>;
      assert.equal(data['@odata.type'], '#Microsoft.Graph.Message');
      assert.equal(data.id, created.id);
      assert.match(data['@odata.etag'], /^W\/"/);
    }
    assert.ok(
      hook.received.every((r) => r.path === '/notify'),
      'query string kept, nothing sent to the lifecycle URL',
    );

    const listed = await client.api('/subscriptions').get();
    assert.deepEqual(
      listed.value.map((s: { id: string }) => s.id),
      [sub.id],
    );
    const renewed = await client
      .api(`/subscriptions/${sub.id}`)
      .patch({ expirationDateTime: new Date(Date.now() + 2 * 86400_000).toISOString() });
    assert.ok(Date.parse(renewed.expirationDateTime) > Date.now() + 86400_000);
    await client.api(`/subscriptions/${sub.id}`).delete();
    const gone = await expectGraphError(client.api(`/subscriptions/${sub.id}`).get());
    assert.equal(gone.statusCode, 404);
  });

  it('refuses a webhook that fails validation with 400 and creates nothing', async () => {
    hook.mode = 'reject-validation';
    try {
      const err = await expectGraphError(
        client.api('/subscriptions').post({
          changeType: 'created',
          notificationUrl: `${hook.url}/notify`,
          resource: 'me/messages',
          expirationDateTime: inAnHour(),
        }),
      );
      assert.equal(err.statusCode, 400);
      assert.equal(err.code, 'InvalidRequest');
      assert.match(err.message, /Subscription validation request failed/);
    } finally {
      hook.mode = 'ok';
    }
    assert.deepEqual((await client.api('/subscriptions').get()).value, []);
  });

  it('enforces expiry, clientState and changeType rules', async () => {
    const base = { changeType: 'created', notificationUrl: `${hook.url}/notify`, resource: 'me/messages' };
    const tooFar = await expectGraphError(
      client
        .api('/subscriptions')
        .post({ ...base, expirationDateTime: new Date(Date.now() + 10_071 * 60_000).toISOString() }),
    );
    assert.equal(tooFar.statusCode, 400);
    assert.equal(tooFar.code, 'ExtensionError');
    assert.equal(tooFar.message, 'Subscription expiration can only be 10070 minutes in the future.');
    const longState = await expectGraphError(
      client
        .api('/subscriptions')
        .post({ ...base, expirationDateTime: inAnHour(), clientState: 'x'.repeat(129) }),
    );
    assert.equal(longState.statusCode, 400);
    const badType = await expectGraphError(
      client
        .api('/subscriptions')
        .post({ ...base, changeType: 'created,exploded', expirationDateTime: inAnHour() }),
    );
    assert.equal(badType.statusCode, 400);
    const soon = await client
      .api('/subscriptions')
      .post({ ...base, expirationDateTime: new Date(Date.now() + 60_000).toISOString() });
    assert.ok(Date.parse(soon.expirationDateTime) >= Date.now() + 44 * 60_000, 'raised to 45 minutes');
    await client.api(`/subscriptions/${soon.id}`).delete();
  });

  it('sends subscriptionRemoved and missed on demand', async () => {
    const sub = await client.api('/subscriptions').post({
      changeType: 'created',
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: 'me/messages',
      expirationDateTime: inAnHour(),
      clientState: 'cs',
    });
    await emulator.control('POST', `/mailboxes/${mailbox}/lifecycle`, {
      event: 'missed',
      subscriptionId: sub.id,
    });
    await emulator.control('POST', `/mailboxes/${mailbox}/lifecycle`, {
      event: 'subscriptionRemoved',
      subscriptionId: sub.id,
    });
    await hook.waitFor(
      () => hook.notifications('/lifecycle').filter((n) => n.subscriptionId === sub.id).length >= 2,
    );
    const events = hook.notifications('/lifecycle').filter((n) => n.subscriptionId === sub.id);
    assert.deepEqual(
      new Set(events.map((e) => e.lifecycleEvent)),
      new Set(['missed', 'subscriptionRemoved']),
    );
    for (const e of events) {
      // The shape live Exchange Online sends, not the documented one.
      assert.equal(e.clientState, 'cs');
      assert.equal(e.organizationId, emulator.ctx.state.tenantId);
      assert.equal('tenantId' in e, false);
      assert.equal(e.resource, `Subscriptions/${sub.id}`);
      assert.deepEqual(e.resourceData, {
        '@odata.type': '#microsoft.graph.subscription',
        '@odata.id': `subscriptions/${sub.id}`,
        id: sub.id,
      });
      assert.equal(e.sequence, null);
      assert.equal(e.encryptedContent, null);
      assert.equal(e.resourceChangeType, null);
      assert.equal(e.subscriptionExpirationDateTime, sub.expirationDateTime);
    }
    assert.equal((await expectGraphError(client.api(`/subscriptions/${sub.id}`).get())).statusCode, 404);
  });
});

describe('grant revocation', () => {
  let emulator: TestEmulator;
  let hook: WebhookReceiver;
  before(async () => {
    emulator = await startTestEmulator();
    hook = await new WebhookReceiver().start();
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
  });

  it('answers the refresh with invalid_grant and sends reauthorizationRequired', async () => {
    const { app, result } = await signIn(emulator);
    const client = graphClient(emulator, () => result.accessToken);
    const sub = await client.api('/subscriptions').post({
      changeType: 'created,updated,deleted',
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: 'me/messages',
      expirationDateTime: inAnHour(),
      clientState: 'cs',
    });
    await emulator.control('POST', '/mailboxes/demo@contoso.test/revoke-grants', {});
    await hook.waitFor(() => hook.notifications('/lifecycle').length >= 1);
    const [event] = hook.notifications('/lifecycle');
    assert.equal(event.lifecycleEvent, 'reauthorizationRequired');
    assert.equal(event.subscriptionId, sub.id);
    await assert.rejects(
      app.acquireTokenSilent({ account: result.account!, scopes: GRAPH_SCOPES, forceRefresh: true }),
      (err: { errorCode?: string; errorMessage?: string }) =>
        err.errorCode === 'invalid_grant' && /AADSTS50173/.test(err.errorMessage ?? ''),
    );
    // After signing in again (new consent), the app can reauthorize the subscription.
    const again = await signIn(emulator);
    await graphClient(emulator, () => again.result.accessToken)
      .api(`/subscriptions/${sub.id}/reauthorize`)
      .post({});
  });
});

describe('delivery to a receiver that stays down', () => {
  let emulator: TestEmulator;
  let hook: WebhookReceiver;
  let lifecycle: WebhookReceiver;
  before(async () => {
    emulator = await startTestEmulator({
      EMULATOR_NOTIFICATION_RETRY_INITIAL_MS: '100',
      EMULATOR_NOTIFICATION_RETRY_WINDOW_SECONDS: '1',
    });
    hook = await new WebhookReceiver().start();
    lifecycle = await new WebhookReceiver().start();
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
    await lifecycle.stop();
  });

  it('retries with backoff, drops after the retry window and sends missed', async () => {
    const { result } = await signIn(emulator);
    const client = graphClient(emulator, () => result.accessToken);
    const sub = await client.api('/subscriptions').post({
      changeType: 'created',
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${lifecycle.url}/lifecycle`,
      resource: "me/mailFolders('inbox')/messages",
      expirationDateTime: inAnHour(),
      clientState: 'cs',
    });
    hook.mode = 'fail-notifications';
    await emulator.control('POST', '/mailboxes/demo@contoso.test/messages', { subject: 'nobody home' });
    await lifecycle.waitFor(() => lifecycle.notifications('/lifecycle').length >= 1, 10_000);
    const attempts = hook.failedAttempts;
    assert.ok(attempts.length >= 3, `retried (${attempts.length} attempts)`);
    assert.ok(attempts[2] - attempts[1] > attempts[1] - attempts[0], 'backoff grows');
    const [missed] = lifecycle.notifications('/lifecycle');
    assert.equal(missed.lifecycleEvent, 'missed');
    assert.equal(missed.subscriptionId, sub.id);
    assert.equal(hook.notifications('/notify').length, 0);
    const counters = await emulator.control<Record<string, number>>(
      'GET',
      '/mailboxes/demo@contoso.test/counters',
    );
    assert.equal(counters.notificationsDropped, 1);
    assert.equal(counters.notificationsDelivered, 0);
    assert.equal(counters.notificationsFailed, attempts.length);
  });
});
