// A grant revoked at Microsoft: the next token refresh fails with invalid_grant and the user's connection
// reads reauth_required; reconnecting restores it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { MailboxReauthRequiredError, MailboxTokens } from '@core-email/platform';
import { RunningProducer, startProducer } from './support/app';
import { connectOutlook, emulatorControl, newMailbox } from './support/outlook';
import { apiClient, ApiClient, newUser } from './support/users';

let producer: RunningProducer;
let api: ApiClient;

before(async () => {
  producer = await startProducer();
  api = apiClient(producer.url);
});

after(async () => {
  await producer?.app.close();
});

test('a revoked grant ends in reauth_required at GET /api/outlook; connecting again fixes it', async () => {
  const user = await newUser(api);
  const mailbox = await newMailbox();
  assert.equal(
    (await connectOutlook(producer, api, user, mailbox))?.searchParams.get('outlook'),
    'connected',
  );
  const tokens = producer.app.get(MailboxTokens);
  assert.ok((await tokens.getAccessToken(user.id)).length > 0);

  await emulatorControl('POST', `/mailboxes/${encodeURIComponent(mailbox.username)}/revoke-grants`, {});
  await producer.app
    .get(DataSource)
    .query(`UPDATE outlook_accounts SET access_token_expires_at = now() WHERE user_id = $1`, [user.id]);
  await assert.rejects(tokens.getAccessToken(user.id), MailboxReauthRequiredError);

  const state = await api.call('GET', '/api/outlook', undefined, user.token);
  assert.equal(state.status, 200);
  assert.equal(state.body.status, 'reauth_required');
  assert.equal(state.body.address, mailbox.username);

  assert.equal(
    (await connectOutlook(producer, api, user, mailbox))?.searchParams.get('outlook'),
    'connected',
  );
  assert.equal((await api.call('GET', '/api/outlook', undefined, user.token)).body.status, 'connected');
  assert.ok((await tokens.getAccessToken(user.id)).length > 0);
});
