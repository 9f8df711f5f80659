// Hostile input gets Graph's error bodies (400/404/413), never a crash or a hang: malformed JSON, unknown
// fields, oversize bodies, bad $select/$top, unknown folders and ids, and junk at the token endpoint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEmulator, type TestEmulator } from './support/emulator';
import { signIn } from './support/msal';

interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}

describe('bad input', () => {
  let emulator: TestEmulator;
  let token: string;
  let messageId: string;

  async function call(method: string, path: string, body?: string, contentType = 'application/json') {
    const res = await fetch(`${emulator.url}/v1.0${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as GraphErrorBody };
  }

  function assertEnvelope(body: GraphErrorBody, code: string): void {
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.match(body.error.innerError['request-id'], /^[0-9a-f-]{36}$/);
  }

  before(async () => {
    emulator = await startTestEmulator({ EMULATOR_MAX_BODY_BYTES: '65536' });
    token = (await signIn(emulator)).result.accessToken;
    const list = await call('GET', '/me/messages?$top=1&$select=id');
    messageId = (list.body as unknown as { value: { id: string }[] }).value[0].id;
  });
  after(async () => emulator.stop());

  it('rejects malformed JSON, unknown and read-only fields, and wrong types', async () => {
    const malformed = await call('PATCH', `/me/messages/${messageId}`, '{"isRead": tru');
    assert.equal(malformed.status, 400);
    assertEnvelope(malformed.body, 'BadRequest');
    const unknown = await call(
      'PATCH',
      `/me/messages/${messageId}`,
      JSON.stringify({ isRead: true, colour: 'red' }),
    );
    assert.equal(unknown.status, 400);
    assertEnvelope(unknown.body, 'RequestBodyRead');
    assert.match(unknown.body.error.message, /colour/);
    const readOnly = await call(
      'PATCH',
      `/me/messages/${messageId}`,
      JSON.stringify({ id: 'AAMkxxxxxxxxxxxx' }),
    );
    assert.equal(readOnly.status, 400);
    const wrongType = await call('PATCH', `/me/messages/${messageId}`, JSON.stringify({ isRead: 'yes' }));
    assert.equal(wrongType.status, 400);
    const notObject = await call('POST', `/me/messages/${messageId}/move`, '[1,2,3]');
    assert.equal(notObject.status, 400);
    const noBody = await call('POST', `/me/messages/${messageId}/move`);
    assert.equal(noBody.status, 400);
  });

  it('rejects oversize bodies with 413', async () => {
    const big = JSON.stringify({
      message: {
        subject: 'x',
        body: { contentType: 'Text', content: 'y'.repeat(100_000) },
        toRecipients: [{ emailAddress: { address: 'a@b.test' } }],
      },
    });
    const res = await call('POST', '/me/sendMail', big);
    assert.equal(res.status, 413);
    assertEnvelope(res.body, 'RequestEntityTooLarge');
  });

  it('rejects bad $select, $top, $orderby and unknown query options', async () => {
    for (const [path, code] of [
      ['/me/messages?$select=subject,nonsense', 'RequestBroker--ParseUri'],
      ['/me/messages?$top=0', 'BadRequest'],
      ['/me/messages?$top=1001', 'BadRequest'],
      ['/me/messages?$top=abc', 'BadRequest'],
      ['/me/messages?$top=1&$top=2', 'BadRequest'],
      ['/me/messages?$orderby=colour', 'RequestBroker--ParseUri'],
      ['/me/messages?$frobnicate=1', 'BadRequest'],
      ['/me/messages?$filter=isRead eq maybe', 'BadRequest'],
      ['/me/messages?$filter=isRead eq false&$orderby=receivedDateTime desc', 'InefficientFilter'],
      ['/me/mailFolders/inbox/messages/delta?$select=bogus', 'RequestBroker--ParseUri'],
    ] as const) {
      const res = await call('GET', path.replace(/ /g, '%20'));
      assert.equal(res.status, 400, path);
      assertEnvelope(res.body, code);
    }
  });

  it('answers unknown folders and ids with 404, malformed ids with 400, unknown segments with 400', async () => {
    const folder = await call('GET', '/me/mailFolders/AAMkAGFoldDoesNotExist123/messages');
    assert.equal(folder.status, 404);
    assertEnvelope(folder.body, 'ErrorItemNotFound');
    const wellKnown = await call('GET', '/me/mailFolders/nosuchfolder');
    assert.equal(wellKnown.status, 404);
    const msg = await call('GET', '/me/messages/AAMkAGI2TG93AAAunknownunknown');
    assert.equal(msg.status, 404);
    assertEnvelope(msg.body, 'ErrorItemNotFound');
    const malformed = await call('GET', '/me/messages/%22%3Cscript%3E');
    assert.equal(malformed.status, 400);
    assertEnvelope(malformed.body, 'ErrorInvalidIdMalformed');
    const move = await call(
      'POST',
      `/me/messages/${messageId}/move`,
      JSON.stringify({ destinationId: 'AAMkAGFoldNope1234' }),
    );
    assert.equal(move.status, 404);
    const segment = await call('GET', '/me/calendars');
    assert.equal(segment.status, 400);
    assertEnvelope(segment.body, 'BadRequest');
    for (const path of ['/me/messages/%E0%A4%A', '/me/mailFolders/%ZZ/messages', '/users/a%25ZZ/messages']) {
      const res = await call('GET', path);
      assert.ok(res.status === 400 || res.status === 404, `${path} → ${res.status}`);
      assert.ok(res.body.error.code);
    }
    const otherUser = await call('GET', '/users/nobody@contoso.test/messages');
    assert.equal(otherUser.status, 404);
    assertEnvelope(otherUser.body, 'ErrorInvalidUser');
  });

  it('answers junk at the token endpoint with AADSTS JSON', async () => {
    const url = `${emulator.url}/${emulator.ctx.state.tenantId}/oauth2/v2.0/token`;
    const cases: [string, string, number, string][] = [
      ['grant_type=authorization_code', 'application/x-www-form-urlencoded', 400, 'invalid_request'],
      [
        'client_id=6731de76-14a6-49ae-97bc-6eba6914391e&client_secret=emulator-client-secret&grant_type=password',
        'application/x-www-form-urlencoded',
        400,
        'unsupported_grant_type',
      ],
      [
        'client_id=6731de76-14a6-49ae-97bc-6eba6914391e&client_secret=emulator-client-secret&grant_type=refresh_token&refresh_token=nope',
        'application/x-www-form-urlencoded',
        400,
        'invalid_grant',
      ],
      [
        'client_id=6731de76-14a6-49ae-97bc-6eba6914391e&grant_type=refresh_token&refresh_token=nope',
        'application/x-www-form-urlencoded',
        401,
        'invalid_client',
      ],
      ['{"not":"a form"', 'application/json', 400, 'invalid_request'],
    ];
    for (const [body, type, status, error] of cases) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, status, body);
      const json = (await res.json()) as { error: string; error_codes: number[]; error_description: string };
      assert.equal(json.error, error, body);
      assert.ok(Array.isArray(json.error_codes));
      assert.match(json.error_description, /^AADSTS\d+/);
    }
  });

  it('rejects bad control API input and keeps serving', async () => {
    const res = await fetch(`${emulator.url}/__emulator/mailboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"address":',
    });
    assert.equal(res.status, 400);
    const seed = await fetch(`${emulator.url}/__emulator/mailboxes/demo@contoso.test/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messages":-5}',
    });
    assert.equal(seed.status, 400);
    const base = `${emulator.url}/__emulator/mailboxes/demo@contoso.test`;
    const hostile: [string, unknown, number][] = [
      ['/folders', { displayName: '' }, 400],
      ['/folders', { displayName: 'x', parent: 'nowhere' }, 404],
      ['/folders', { displayName: 'x', extra: true }, 400],
      ['/messages/move', { ids: 'not-a-list', destination: 'archive' }, 400],
      ['/messages/move', { ids: [], destination: 'archive' }, 400],
      [
        '/messages/move',
        { ids: Array.from({ length: 10_001 }, (_, i) => `AAMk${i}`), destination: 'archive' },
        400,
      ],
      ['/messages/move', { ids: ['AAMkAGI2TG93AAAunknown0000000000'], destination: 'nowhere' }, 404],
      ['/messages', { type: 'eventMessage', startDateTime: 'tomorrow' }, 400],
      ['/messages', { type: 'meeting' }, 400],
    ];
    for (const [path, body, status] of hostile) {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, status, `${path} ${JSON.stringify(body).slice(0, 80)}`);
      const json = (await r.json()) as GraphErrorBody;
      assert.ok(json.error.code, 'Graph error envelope');
    }
    const health = await fetch(`${emulator.url}/__emulator/health`);
    assert.deepEqual(await health.json(), { ok: true });
  });
});
