// What Exchange Online sends a mailbox-level subscription, through the Graph client and a local webhook
// receiver: ids in the format the subscription was created with (Prefer: IdType="ImmutableId" on POST
// /subscriptions, or Graph's default ids, which change on move), new mail as created + updated, a move as
// created (plus deleted of the old id for default ids); and the documented dialect's shapes.
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { messageIdFor } from '../src/store/message-ids';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { graphClient } from './support/graph';
import { WebhookReceiver } from './support/webhook';

const inAnHour = () => new Date(Date.now() + 60 * 60_000).toISOString();
const settle = () => sleep(300);

interface Note {
  changeType: string;
  resource: string;
  resourceData: { id: string };
}

async function subscribe(client: Client, hook: WebhookReceiver, path: string, immutable: boolean) {
  const request = client.api('/subscriptions');
  if (immutable) request.header('Prefer', 'IdType="ImmutableId"');
  return request.post({
    changeType: 'created,updated,deleted',
    notificationUrl: `${hook.url}${path}`,
    lifecycleNotificationUrl: `${hook.url}/lifecycle`,
    resource: 'me/messages',
    expirationDateTime: inAnHour(),
    clientState: 'cs',
  }) as Promise<{ id: string }>;
}

describe('notifications for a mailbox-level subscription (exchange-online dialect)', () => {
  let emulator: TestEmulator;
  let client: Client;
  let hook: WebhookReceiver;
  const mailbox = 'shapes@contoso.test';

  before(async () => {
    emulator = await startTestEmulator();
    hook = await new WebhookReceiver().start();
    await emulator.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'Shapes' });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
  });

  it('uses the id format each subscription was created with, and notifies new mail and moves as Exchange does', async () => {
    const withDefault = await subscribe(client, hook, '/default', false);
    const withImmutable = await subscribe(client, hook, '/immutable', true);
    const records = (
      await emulator.control<{ value: { id: string; idType: string }[] }>('GET', '/subscriptions')
    ).value;
    assert.equal(records.find((r) => r.id === withDefault.id)?.idType, 'default');
    assert.equal(records.find((r) => r.id === withImmutable.id)?.idType, 'immutable');

    const { id } = await emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, {
      subject: 'arrives',
    });
    const record = () => emulator.ctx.state.mailboxByAddress(mailbox)!.messages.get(id)!;
    const defaultBefore = messageIdFor(record(), 'default');
    assert.notEqual(defaultBefore, id);
    await hook.waitFor(
      () => hook.notifications('/default').length >= 2 && hook.notifications('/immutable').length >= 2,
    );
    await emulator.control('POST', `/mailboxes/${mailbox}/messages/${id}/move`, { destination: 'archive' });
    const defaultAfter = messageIdFor(record(), 'default');
    assert.notEqual(defaultAfter, defaultBefore, 'a default id changes when the message moves');
    await hook.waitFor(
      () => hook.notifications('/default').length >= 4 && hook.notifications('/immutable').length >= 3,
    );
    await settle();

    const mailboxId = emulator.ctx.state.mailboxByAddress(mailbox)!.identity.id;
    const seen = (path: string) =>
      (hook.notifications(path) as unknown as Note[]).map((n) => {
        assert.equal(n.resource, `Users/${mailboxId}/Messages/${n.resourceData.id}`);
        return [n.changeType, n.resourceData.id];
      });
    assert.deepEqual(seen('/immutable'), [
      ['created', id],
      ['updated', id],
      ['created', id],
    ]);
    assert.deepEqual(seen('/default'), [
      ['created', defaultBefore],
      ['updated', defaultBefore],
      ['created', defaultAfter],
      ['deleted', defaultBefore],
    ]);
  });
});

describe('the documented dialect', () => {
  let emulator: TestEmulator;
  let client: Client;
  let hook: WebhookReceiver;

  before(async () => {
    emulator = await startTestEmulator({ EMULATOR_DIALECT: 'documented' });
    hook = await new WebhookReceiver().start();
    const { result } = await signIn(emulator);
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => {
    await emulator.stop();
    await hook.stop();
  });

  it('sends the documented shapes: one notification per change, tenantId on lifecycle items', async () => {
    const sub = await subscribe(client, hook, '/notify', true);
    const { id } = await emulator.control<{ id: string }>('POST', '/mailboxes/demo@contoso.test/messages', {
      subject: 'documented',
    });
    await emulator.control('POST', `/mailboxes/demo@contoso.test/messages/${id}/move`, {
      destination: 'archive',
    });
    await emulator.control('POST', '/mailboxes/demo@contoso.test/lifecycle', {
      event: 'missed',
      subscriptionId: sub.id,
    });
    await hook.waitFor(
      () => hook.notifications('/notify').length >= 2 && hook.notifications('/lifecycle').length >= 1,
    );
    await settle();
    const notes = hook.notifications('/notify');
    assert.deepEqual(
      notes.map((n) => n.changeType),
      ['created', 'updated'],
    );
    assert.deepEqual(Object.keys(notes[0]).sort(), [
      'changeType',
      'clientState',
      'resource',
      'resourceData',
      'subscriptionExpirationDateTime',
      'subscriptionId',
      'tenantId',
    ]);
    const [missed] = hook.notifications('/lifecycle');
    assert.deepEqual(missed, {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: (await client.api(`/subscriptions/${sub.id}`).get()).expirationDateTime,
      tenantId: emulator.ctx.state.tenantId,
      clientState: 'cs',
      lifecycleEvent: 'missed',
    });
  });
});

describe('a restart', () => {
  it("keeps each subscription's id format and token expiry", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-emulator-shapes-'));
    const hook = await new WebhookReceiver().start();
    try {
      let emulator = await startTestEmulator({}, dir);
      const { result } = await signIn(emulator);
      const sub = await subscribe(
        graphClient(emulator, () => result.accessToken),
        hook,
        '/notify',
        true,
      );
      const before = emulator.ctx.state.subscriptions.get(sub.id)!;
      // msal rounds the request time, the token's exp is floored: a second apart at most.
      assert.ok(Math.abs(before.accessTokenExpiresAt - result.expiresOn!.getTime()) <= 1000);
      await emulator.stop();
      emulator = await startTestEmulator({}, dir);
      const after = emulator.ctx.state.subscriptions.get(sub.id);
      await emulator.stop();
      assert.equal(after?.idType, 'immutable');
      assert.equal(after?.accessTokenExpiresAt, before.accessTokenExpiresAt);
    } finally {
      await hook.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
