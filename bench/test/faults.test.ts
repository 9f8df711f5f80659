// The CI-sized subset of `npm run faults`: three of its cases in a small world (3 users), each with its load
// running through it, and the suite's outcome targets asserted for each (the recovery time is a figure of
// `npm run faults`, which prints the whole table: timings are never asserted in tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFaults } from '../faults';

test('Redis master kill -9, replica kill -9, consumer kill -9 in a burst: nothing lost, no 5xx, every request answered', async () => {
  const rows = await runFaults(['redis-master-kill', 'pg-replica-kill', 'consumer-kill-burst'], 3);
  for (const row of rows) {
    const what = `${row.fault}: ${JSON.stringify(row)}`;
    assert.equal(row.error, undefined, what);
    assert.ok(row.delivered > 0, what);
    assert.equal(row.lost, 0, what);
    assert.equal(row.fiveXx, 0, what);
    assert.equal(row.noAnswer, 0, what);
  }
});
