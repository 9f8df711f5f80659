import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { createLogger, REDACT_PATHS } from '../src/logging/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream), lines };
}

test('log lines are JSON with passwords, tokens, secrets and auth headers redacted', () => {
  const { logger, lines } = capture();
  logger.info(
    {
      password: 'hunter2 with spaces',
      body: { password: 'P@ss', refreshToken: 'rt-123', email: 'a@b.test' },
      tokens: { access_token: 'at-456', refresh_token: 'rt-789' },
      req: { headers: { authorization: 'Bearer eyJabc', cookie: 'sid=1', 'user-agent': 'test' } },
      subscription: { clientState: 'secret-state', id: 'sub-1' },
    },
    'signed up',
  );
  const text = lines.join('');
  for (const secret of ['hunter2', 'P@ss', 'rt-123', 'at-456', 'rt-789', 'eyJabc', 'sid=1', 'secret-state']) {
    assert.ok(!text.includes(secret), `${secret} leaked into the log`);
  }
  const line = JSON.parse(text);
  assert.equal(line.msg, 'signed up');
  assert.equal(line.body.email, 'a@b.test', 'non-secret fields stay readable');
  assert.equal(line.req.headers['user-agent'], 'test');
  assert.equal(line.body.password, '[redacted]');
});

test("a failed statement's SQL, parameters and row values stay out of the log; what failed stays in", () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('test', 'info', stream);
  const driverError = Object.assign(new Error('new row violates check constraint "probe"'), {
    code: '23514',
    constraint: 'probe',
    table: 'emails',
    detail: 'Failing row contains (poison, <p>the secret body</p>).',
  });
  const error = new QueryFailedError(
    'INSERT INTO emails SELECT * FROM jsonb_to_recordset($1)',
    ['[{"subject":"poison","body_html":"<p>the secret body</p>"}]'],
    driverError,
  );
  logger.error({ err: error }, 'page write failed');
  logger.warn({ error: new Error('wrapped', { cause: error }) }, 'retrying');
  const text = lines.join('');
  assert.ok(!text.includes('the secret body'), 'a mail body reached the log');
  assert.ok(!text.includes('jsonb_to_recordset'), 'the statement reached the log');
  const [failed, retrying] = lines.map((l) => JSON.parse(l));
  assert.equal(failed.err.code, '23514');
  assert.equal(failed.err.constraint, 'probe');
  assert.match(failed.err.message, /check constraint "probe"/);
  assert.match(retrying.error.message, /^wrapped/);
});
