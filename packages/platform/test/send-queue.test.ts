// The Kafka send queue's bounds, with a stand-in producer whose requests hang like a stopped broker's: a
// caller's deadline removes its records (they are never sent later), and the queue refuses past its bounds.
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Producer, ProducerBatch } from 'kafkajs';
import { SendQueue, SendQueueFullError, SendTimeoutError } from '../src/kafka/send-queue';

/** A producer whose every request waits until the test lets it finish; it records what it was asked to send. */
function stalledProducer() {
  const sent: string[] = [];
  const pending: Array<() => void> = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) => {
      for (const t of batch.topicMessages ?? []) for (const m of t.messages) sent.push(String(m.value));
      return new Promise((resolve) => pending.push(() => resolve([])));
    },
  } as unknown as Producer;
  return { producer, sent, release: () => pending.splice(0).forEach((r) => r()) };
}

const record = (value: string): Message => ({ key: 'u', value });

test('a caller whose deadline passes while queued is removed: rejected, and never sent after recovery', async () => {
  const broker = stalledProducer();
  const queue = new SendQueue(broker.producer, async () => undefined);
  const first = queue.send('t', [record('on-the-wire')], { deadlineMs: 50 });
  const queued = queue.send('t', [record('queued-1'), record('queued-2')], { deadlineMs: 50 });
  await assert.rejects(first, (e) => e instanceof SendTimeoutError && !e.removed);
  await assert.rejects(queued, (e) => e instanceof SendTimeoutError && e.removed);
  assert.deepEqual(
    { ...queue.stats(), inFlightSends: undefined },
    {
      queuedSends: 0,
      queuedRecords: 0,
      queuedBytes: 0,
      inFlightSends: undefined,
      expiredRecords: 2,
      refusedSends: 0,
    },
  );
  broker.release(); // the broker answers the request that was on the wire
  await sleep(20);
  assert.deepEqual(broker.sent, ['on-the-wire'], 'nothing that was removed is sent');
  assert.equal(queue.stats().inFlightSends, 0);
  // The queue works again: a new caller is sent and acknowledged.
  const after = queue.send('t', [record('after')]);
  broker.release();
  await sleep(0);
  broker.release();
  await after;
  assert.deepEqual(broker.sent, ['on-the-wire', 'after']);
});

test('the queue is bounded by count and by bytes: past either, a send is refused at once', async () => {
  const broker = stalledProducer();
  const queue = new SendQueue(broker.producer, async () => undefined, {
    maxQueuedSends: 3,
    maxQueuedBytes: 1_000,
  });
  const calls: Array<Promise<void>> = [queue.send('t', [record('in-flight')], { deadlineMs: 200 })];
  await new Promise((r) => setImmediate(r)); // the first one is on the wire
  for (let i = 0; i < 3; i++) calls.push(queue.send('t', [record(`q${i}`)], { deadlineMs: 200 }));
  await assert.rejects(queue.send('t', [record('one too many')]), SendQueueFullError);
  assert.equal(queue.stats().queuedSends, 3);

  const bytes = new SendQueue(broker.producer, async () => undefined, {
    maxQueuedSends: 100,
    maxQueuedBytes: 1_000,
  });
  const big = 'x'.repeat(600);
  calls.push(bytes.send('t', [record(big)], { deadlineMs: 200 }));
  await new Promise((r) => setImmediate(r));
  calls.push(bytes.send('t', [record(big)], { deadlineMs: 200 }));
  await assert.rejects(bytes.send('t', [record(big)]), SendQueueFullError);
  assert.ok(bytes.stats().queuedBytes <= 1_000);
  assert.equal(bytes.stats().refusedSends, 1);

  await Promise.allSettled(calls);
  assert.equal(queue.stats().queuedSends, 0, 'every deadline emptied the queue');
  assert.equal(bytes.stats().queuedBytes, 0);
  broker.release();
});

test('a deadline that passes while the connection is being made: the caller is not sent at all', async () => {
  const broker = stalledProducer();
  let connected!: () => void;
  const connecting = new Promise<void>((r) => (connected = r));
  const queue = new SendQueue(broker.producer, () => connecting);
  const call = queue.send('t', [record('late')], { deadlineMs: 30 });
  await assert.rejects(call, (e) => e instanceof SendTimeoutError && e.removed);
  connected();
  await sleep(20);
  assert.deepEqual(broker.sent, []);
});
