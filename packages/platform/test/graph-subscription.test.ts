// Graph's subscription answers are checked before the service stores or compares a field of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MalformedGraphSubscriptionError,
  parseGraphSubscription,
} from '../src/subscriptions/graph-subscription-api';

const GOOD = {
  id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  expirationDateTime: '2026-11-30T10:00:00.1234567Z',
  notificationUrl: 'https://example.test/api/webhooks/graph/notifications',
  resource: 'me/messages',
  clientState: 'not kept',
};

test('a subscription as Graph returns it is kept with the fields the service uses', () => {
  assert.deepEqual(parseGraphSubscription(GOOD), {
    id: GOOD.id,
    expirationDateTime: GOOD.expirationDateTime,
    notificationUrl: GOOD.notificationUrl,
    resource: GOOD.resource,
  });
});

test('a subscription without a usable id or expiry is refused with an error that names it', () => {
  const bad = [
    null,
    'created',
    { ...GOOD, id: undefined },
    { ...GOOD, id: 'a\u0000b' },
    { ...GOOD, id: '' },
    { ...GOOD, expirationDateTime: 'tomorrow' },
    { ...GOOD, expirationDateTime: undefined },
    { ...GOOD, notificationUrl: 42 },
  ];
  for (const raw of bad) {
    assert.throws(() => parseGraphSubscription(raw), MalformedGraphSubscriptionError, JSON.stringify(raw));
  }
});
