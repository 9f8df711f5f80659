// Meeting messages live in mail folders next to plain mail, and Graph returns them in the same lists and
// deltas as derived types of message: a meeting request is #microsoft.graph.eventMessageRequest, a response
// #microsoft.graph.eventMessageResponse, a cancellation #microsoft.graph.eventMessage, each with a
// meetingMessageType. Plain messages carry no @odata.type in lists; in delta every item does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { DEMO_MAILBOX, startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';
import { graphClient } from './support/graph';

const PREFER = 'odata.maxpagesize=100, IdType="ImmutableId"';

interface Item {
  id: string;
  '@odata.type'?: string;
  meetingMessageType?: string;
  subject?: string;
  [key: string]: unknown;
}

describe('meeting messages among the mail (eventMessage types)', () => {
  let emulator: TestEmulator;
  let client: Client;
  const mailbox = 'meetings@contoso.test';

  before(async () => {
    emulator = await startTestEmulator();
    await emulator.control('POST', '/mailboxes', { address: mailbox, password: 'pw', displayName: 'Meet' });
    await emulator.control('POST', `/mailboxes/${mailbox}/seed`, { messages: 30 });
    const { result } = await signIn(emulator, { username: mailbox, password: 'pw' });
    client = graphClient(emulator, () => result.accessToken);
  });
  after(async () => emulator.stop());

  it('delivers a meeting request that delta and lists return as eventMessageRequest', async () => {
    const start = await client
      .api('/me/mailFolders/inbox/messages/delta?$select=subject,body,from')
      .header('Prefer', PREFER)
      .get();
    let link: string = start['@odata.deltaLink'];
    assert.ok(link);
    const request = await emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, {
      type: 'eventMessage',
      subject: 'Roadmap review',
      startDateTime: '2026-12-10T15:00:00Z',
      endDateTime: '2026-12-10T16:00:00Z',
      location: 'Room 1',
    });
    const plain = await emulator.control<{ id: string }>('POST', `/mailboxes/${mailbox}/messages`, {
      subject: 'plain mail',
    });

    const delta = await client.api(link).header('Prefer', PREFER).get();
    link = delta['@odata.deltaLink'];
    const byId = new Map<string, Item>(delta.value.map((v: Item) => [v.id, v]));
    assert.equal(byId.get(request.id)?.['@odata.type'], '#microsoft.graph.eventMessageRequest');
    assert.equal(byId.get(request.id)?.subject, 'Roadmap review');
    assert.equal(byId.get(plain.id)?.['@odata.type'], '#microsoft.graph.message');

    const list = await client.api('/me/mailFolders/inbox/messages').header('Prefer', PREFER).top(5).get();
    const listed: Item = list.value.find((v: Item) => v.id === request.id);
    assert.equal(listed['@odata.type'], '#microsoft.graph.eventMessageRequest');
    assert.equal(listed.meetingMessageType, 'meetingRequest');
    assert.deepEqual(listed.startDateTime, { dateTime: '2026-12-10T15:00:00.0000000', timeZone: 'UTC' });
    assert.deepEqual(listed.endDateTime, { dateTime: '2026-12-10T16:00:00.0000000', timeZone: 'UTC' });
    assert.equal((listed.location as { displayName: string }).displayName, 'Room 1');
    const plainListed: Item = list.value.find((v: Item) => v.id === plain.id);
    assert.equal(plainListed['@odata.type'], undefined, 'plain messages carry no @odata.type in a list');
    assert.equal(plainListed.meetingMessageType, undefined);

    const got: Item = await client.api(`/me/messages/${request.id}`).header('Prefer', PREFER).get();
    assert.equal(got['@odata.type'], '#microsoft.graph.eventMessageRequest');
    assert.equal(got.responseRequested, true);
  });

  it('takes responses and cancellations in a batch, each with its own type', async () => {
    const { delivered } = await emulator.control<{ delivered: { id: string }[] }>(
      'POST',
      '/mailboxes/deliveries',
      {
        messages: [
          { mailbox, type: 'eventMessage', meetingMessageType: 'meetingCancelled', subject: 'Canceled: x' },
          { mailbox, type: 'eventMessage', meetingMessageType: 'meetingDeclined', subject: 'Declined: y' },
          {
            mailbox,
            type: 'eventMessage',
            meetingMessageType: 'meetingTenativelyAccepted',
            subject: 'Tentative',
          },
        ],
      },
    );
    const got: Item[] = [];
    for (const d of delivered)
      got.push(await client.api(`/me/messages/${d.id}`).header('Prefer', PREFER).get());
    assert.deepEqual(
      got.map((g) => [g['@odata.type'], g.meetingMessageType, g.responseType]),
      [
        ['#microsoft.graph.eventMessage', 'meetingCancelled', undefined],
        ['#microsoft.graph.eventMessageResponse', 'meetingDeclined', 'declined'],
        ['#microsoft.graph.eventMessageResponse', 'meetingTenativelyAccepted', 'tentativelyAccepted'],
      ],
    );
    const inbox = await client.api('/me/mailFolders/inbox').get();
    const truth = await emulator.control<{ value: unknown[] }>(
      'GET',
      `/mailboxes/${mailbox}/folders/inbox/messages`,
    );
    assert.equal(inbox.totalItemCount, truth.value.length, 'meeting messages count as folder items');
  });

  it('rejects meeting fields on a plain message and unknown meeting types', async () => {
    await assert.rejects(
      emulator.control('POST', `/mailboxes/${mailbox}/messages`, { meetingMessageType: 'meetingRequest' }),
      /400.*only for/,
    );
    await assert.rejects(
      emulator.control('POST', `/mailboxes/${mailbox}/messages`, {
        type: 'eventMessage',
        meetingMessageType: 'party',
      }),
      /400/,
    );
    await assert.rejects(
      emulator.control('POST', `/mailboxes/${mailbox}/messages`, {
        type: 'eventMessage',
        startDateTime: '2026-12-10T15:00:00Z',
        endDateTime: '2026-12-10T14:00:00Z',
      }),
      /400.*endDateTime/,
    );
  });

  it('includes a few meeting messages in the demo mailbox', async () => {
    const { result } = await signIn(emulator, {
      username: DEMO_MAILBOX.address,
      password: DEMO_MAILBOX.password,
    });
    const demo = graphClient(emulator, () => result.accessToken);
    const page = await demo.api('/me/mailFolders/inbox/messages').top(10).get();
    const types = page.value.map((v: Item) => v['@odata.type']).filter(Boolean);
    assert.deepEqual(types.sort(), [
      '#microsoft.graph.eventMessage',
      '#microsoft.graph.eventMessageRequest',
      '#microsoft.graph.eventMessageResponse',
    ]);
  });
});
