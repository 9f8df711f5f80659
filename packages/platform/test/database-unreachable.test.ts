import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnreachable } from '../src/database/database-unreachable';

// What pg and TypeORM throw when the server, not the statement, failed: each means "ask another server or
// answer 503", never a 500.
test('a server that is down, restarting or whose connection died is unreachable, whatever pg calls it', () => {
  const lost = [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    new Error('Client was closed and is not queryable'),
    new Error('timeout exceeded when trying to connect'),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  ];
  for (const error of lost) {
    assert.ok(isDatabaseUnreachable(error), error.message);
    assert.ok(
      isDatabaseUnreachable(new QueryFailedError('SELECT 1', [], error)),
      `wrapped: ${error.message}`,
    );
  }
});

test("a statement's own error is not an outage", () => {
  const own = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
  assert.equal(isDatabaseUnreachable(new QueryFailedError('INSERT', [], own)), false);
  assert.equal(
    isDatabaseUnreachable(Object.assign(new Error('invalid input syntax'), { code: '22P02' })),
    false,
  );
});
