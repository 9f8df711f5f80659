import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ALL_TOPICS, allTopicsWithDlq, ContractError, decode, encode, keyOf, TOPICS } from '../src';

const userId = randomUUID();
const now = new Date().toISOString();

test('the original six topics (misspellings fixed) and audit_mailbox, each with a .dlq', () => {
  assert.deepEqual([...ALL_TOPICS].sort(), [
    'audit_mailbox',
    'create_email_subscription',
    'create_email_subscription_cron',
    'email_ack',
    'notify_user_mutate_email',
    'sync_email',
    'update_email_subscription',
  ]);
  assert.equal(allTopicsWithDlq().length, 14);
  assert.ok(allTopicsWithDlq().includes('sync_email.dlq'));
});

test('a valid message survives encode → decode unchanged and is keyed by its user', () => {
  const msg = {
    userId,
    runId: randomUUID(),
    mode: 'full' as const,
    reason: 'connected' as const,
    requestedAt: now,
  };
  assert.deepEqual(decode(TOPICS.syncEmail, encode(TOPICS.syncEmail, msg)), msg);
  assert.equal(keyOf(TOPICS.syncEmail, msg), userId);
});

test('decode names what is wrong with a malformed message', () => {
  const bad = JSON.stringify({
    userId: 'not-a-uuid',
    runId: randomUUID(),
    mode: 'sideways',
    requestedAt: now,
  });
  assert.throws(
    () => decode(TOPICS.syncEmail, bad),
    (err: unknown) =>
      err instanceof ContractError &&
      err.message.includes('userId') &&
      err.message.includes('mode') &&
      err.message.includes('reason'),
  );
});

test('decode rejects non-JSON, empty values and unknown fields', () => {
  assert.throws(() => decode(TOPICS.emailAck, '{oops'), /not valid JSON/);
  assert.throws(() => decode(TOPICS.emailAck, null), /empty message value/);
  const extra = { userId, created: [], updated: [], deleted: [], at: now, accessToken: 'secret' };
  assert.throws(() => decode(TOPICS.notifyUserMutateEmail, JSON.stringify(extra)), /accessToken/);
});

test('encode refuses to publish a message that breaks its contract', () => {
  assert.throws(
    () =>
      encode(TOPICS.updateEmailSubscription, {
        userId,
        subscriptionId: 's',
        kind: 'change',
        receivedAt: now,
      }),
    /changeType/,
  );
});

test('renewal ticks, which belong to no user, share one key', () => {
  const tick = { tick: now, renewWithinMinutes: 1440 };
  assert.equal(
    keyOf(
      TOPICS.createEmailSubscriptionCron,
      decode(TOPICS.createEmailSubscriptionCron, JSON.stringify(tick)),
    ),
    'cron',
  );
});
