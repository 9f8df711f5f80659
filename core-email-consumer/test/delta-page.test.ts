// The checks a delta page passes before the sync writes a row of it: Graph's answers are hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedGraphResponseError, parseDeltaPage } from '../src/sync/graph/delta-page';
import { EmailRow, toEmailRow } from '../src/sync/graph/email-row';
import { EMAIL_COLUMNS } from '../src/sync/repositories/emails.repository';
import { graphMessageSchema } from '../src/sync/graph/graph-schemas';
import type { RowBatch } from '../src/sync/graph/row-batch';

/** The rows PostgreSQL receives (one array of values per row, in EMAIL_COLUMNS order), named again. */
function rowsOf(batch: RowBatch): EmailRow[] {
  const rows = JSON.parse(batch.json) as unknown[][];
  return rows.map((values) => {
    assert.equal(values.length, EMAIL_COLUMNS.length);
    return Object.fromEntries(EMAIL_COLUMNS.map(([name], i) => [name, values[i]])) as unknown as EmailRow;
  });
}

const ORIGIN = 'https://graph.example.test';
const NEXT = `${ORIGIN}/v1.0/me/mailFolders/f1/messages/delta?$skiptoken=abc`;

function message(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    subject: `subject of ${id}`,
    receivedDateTime: '2026-11-01T10:00:00Z',
    from: { emailAddress: { name: 'Ann', address: 'ann@contoso.test' } },
    isRead: false,
    ...extra,
  };
}

test('messages become rows of the folder whose delta returned them; removals become ids', () => {
  const page = parseDeltaPage(
    { value: [message('m1'), { id: 'm2', '@removed': { reason: 'deleted' } }], '@odata.nextLink': NEXT },
    'f1',
    ORIGIN,
  );
  assert.deepEqual(
    rowsOf(page.upserts).map((r) => [r.graph_id, r.folder_graph_id, r.subject, r.from_address]),
    [['m1', 'f1', 'subject of m1', 'ann@contoso.test']],
  );
  assert.deepEqual(page.removedIds, ['m2']);
  assert.equal(page.nextLink, NEXT);
  assert.equal(page.skipped, 0);
});

test('malformed items are skipped and counted, and never written or removed', () => {
  const page = parseDeltaPage(
    {
      value: [
        message('m1', { receivedDateTime: 'yesterday' }),
        message('m2', { isRead: 'yes' }),
        { id: 'm3', '@removed': 'deleted' },
        { '@removed': { reason: 'deleted' } },
        message('m4'),
      ],
      '@odata.deltaLink': `${ORIGIN}/v1.0/me/mailFolders/f1/messages/delta?$deltatoken=xyz`,
    },
    'f1',
    ORIGIN,
  );
  assert.deepEqual(page.upserts.ids, ['m4']);
  assert.deepEqual(
    rowsOf(page.upserts).map((r) => r.graph_id),
    ['m4'],
  );
  assert.deepEqual(page.removedIds, []);
  assert.equal(page.skipped, 4);
});

test('an item repeated within a page counts once, its last occurrence winning', () => {
  const page = parseDeltaPage(
    {
      value: [
        message('m1', { isRead: false }),
        { id: 'm2', '@removed': {} },
        message('m1', { isRead: true }),
        message('m2'),
      ],
      '@odata.nextLink': NEXT,
    },
    'f1',
    ORIGIN,
  );
  assert.deepEqual(
    rowsOf(page.upserts).map((r) => [r.graph_id, r.is_read]),
    [
      ['m1', true],
      ['m2', false],
    ],
  );
  assert.deepEqual(page.removedIds, []);
});

test('a page whose links point outside Graph, or with both or neither link, is refused whole', () => {
  const cases = [
    { value: [], '@odata.nextLink': 'https://evil.example.test/v1.0/me/messages/delta?$skiptoken=1' },
    { value: [], '@odata.nextLink': NEXT, '@odata.deltaLink': NEXT },
    { value: [] },
    { value: 'nope', '@odata.nextLink': NEXT },
  ];
  for (const raw of cases) {
    assert.throws(() => parseDeltaPage(raw, 'f1', ORIGIN), MalformedGraphResponseError);
  }
});

test('text PostgreSQL cannot store is made storable instead of failing the page; text that only looks like it is kept', () => {
  const page = parseDeltaPage(
    {
      value: [
        message('m1', { subject: 'a\u0000b', body: { contentType: 'text', content: '\u0000x' } }),
        message('m2', {
          subject: 'lone \ud800 high',
          bodyPreview: 'lone \udc00 low',
          categories: ['c\u0000'],
        }),
        // A backslash, a "u" and four zeros: an escape only in the JSON, plain text in the message.
        message('m3', { subject: '\\u0000', bodyPreview: 'say \\ud800' }),
        message('m4', { from: { emailAddress: { name: 'N\u0000\udbff', address: 'n@x.test' } } }),
      ],
      '@odata.nextLink': NEXT,
    },
    'f1',
    ORIGIN,
  );
  assert.deepEqual(
    rowsOf(page.upserts).map((r) => [r.subject, r.body_content, r.body_preview, r.categories, r.from_name]),
    [
      ['ab', 'x', null, [], 'Ann'],
      ['lone \ufffd high', null, 'lone \ufffd low', ['c'], 'Ann'],
      ['\\u0000', null, 'say \\ud800', [], 'Ann'],
      ['subject of m4', null, null, [], 'N\ufffd'],
    ],
  );
  // What PostgreSQL's JSON input refuses: a NUL or a lone surrogate written as an escape.
  assert.doesNotMatch(page.upserts.json, /(^|[^\\])(\\\\)*\\u(0000|d[89a-f])/i);
});

test('an id that is not printable ASCII is malformed: the item is skipped, never written or removed', () => {
  const page = parseDeltaPage(
    {
      value: [
        message('m\u0000'),
        message('m 2'),
        { id: 'é', '@removed': { reason: 'deleted' } },
        message('ok'),
      ],
      '@odata.nextLink': NEXT,
    },
    'f1',
    ORIGIN,
  );
  assert.deepEqual(page.upserts.ids, ['ok']);
  assert.deepEqual(page.removedIds, []);
  assert.equal(page.skipped, 3);
});

test('every field of a row travels to PostgreSQL: EMAIL_COLUMNS names each one exactly once', () => {
  const row = toEmailRow(graphMessageSchema.parse(message('m1')), 'f1');
  const columns = EMAIL_COLUMNS.map(([name]) => name);
  assert.equal(new Set(columns).size, columns.length);
  assert.deepEqual([...columns].sort(), Object.keys(row).sort());
});
