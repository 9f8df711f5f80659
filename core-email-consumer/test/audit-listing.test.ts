// The audit's id-only folder listing against pages a hostile or broken Graph could send: a next link to
// another origin is refused (it would carry the mailbox's token there), malformed items are counted and a
// malformed page fails. Graph is a stand-in here because the emulator never forges its own links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@microsoft/microsoft-graph-client';
import { listFolderMessages } from '../src/audit/graph/message-listing';

const ORIGIN = 'https://graph.example.test';

/** A Graph client that answers each request with the next of `pages` and records what was asked. */
function graphAnswering(pages: unknown[]) {
  const asked: Array<{ path: string; prefer?: string; select?: string[]; top?: number }> = [];
  const client = {
    api(path: string) {
      const request: (typeof asked)[number] = { path };
      asked.push(request);
      const builder = {
        header: (name: string, value: string) => (
          (request.prefer = name === 'Prefer' ? value : undefined),
          builder
        ),
        select: (fields: string[]) => ((request.select = fields), builder),
        top: (n: number) => ((request.top = n), builder),
        get: async () => pages.shift(),
      };
      return builder;
    },
  };
  return { client: client as unknown as Client, asked };
}

const noop = async () => undefined;

test('pages are followed through their next links, with immutable ids and an id-only $select', async () => {
  const { client, asked } = graphAnswering([
    {
      value: [{ id: 'a', changeKey: 'k1' }],
      '@odata.nextLink': `${ORIGIN}/v1.0/me/mailFolders/f/messages?$skip=1`,
    },
    { value: [{ id: 'b', changeKey: 'k2' }, { id: 'bad id with spaces' }] },
  ]);
  const listing = await listFolderMessages(client, 'f', 1, ORIGIN, noop);
  assert.deepEqual(
    [...listing!.messages],
    [
      ['a', 'k1'],
      ['b', 'k2'],
    ],
  );
  assert.equal(listing!.skipped, 1);
  assert.deepEqual(asked[0], {
    path: '/me/mailFolders/f/messages',
    prefer: 'IdType="ImmutableId"',
    select: ['id', 'changeKey', 'parentFolderId'],
    top: 1,
  });
  assert.equal(asked[1].path, `${ORIGIN}/v1.0/me/mailFolders/f/messages?$skip=1`, 'the link used as given');
  assert.equal(asked[1].prefer, 'IdType="ImmutableId"');
});

test('a next link to another origin is refused before it is requested', async () => {
  const { client, asked } = graphAnswering([
    { value: [], '@odata.nextLink': 'https://attacker.example.test/v1.0/me/messages' },
  ]);
  await assert.rejects(listFolderMessages(client, 'f', 10, ORIGIN, noop), /outside Graph/);
  assert.equal(asked.length, 1);
});

test('a malformed page fails the listing', async () => {
  const { client } = graphAnswering([{ items: [] }]);
  await assert.rejects(listFolderMessages(client, 'f', 10, ORIGIN, noop), /malformed Graph response/);
});
