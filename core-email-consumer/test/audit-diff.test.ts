// The audit's comparison and its per-folder verdicts, without I/O: the cases a real mailbox rarely shows on
// cue (a message moving between two folder listings, a listing that missed a message, a folder whose listing
// failed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDifferences, ListedMessage, StoredMessage } from '../src/audit/audit-diff';
import { AuditedFolder, folderReports, RepairOutcome } from '../src/audit/folder-report';

const stored = (graphId: string, folderId: string, changeKey = 'k1'): StoredMessage => ({
  graphId,
  folderId,
  changeKey,
});
const listed = (entries: Array<[string, string, string?]>) =>
  new Map<string, ListedMessage>(
    entries.map(([id, folderId, ck]) => [id, { folderId, changeKey: ck ?? 'k1' }]),
  );

test('missing, stale (key or folder) and extra, with "extra" decided over the whole mailbox', () => {
  const diff = findDifferences(
    listed([
      ['a', 'inbox'],
      ['b', 'inbox', 'k2'],
      ['moved', 'archive'],
      ['new', 'archive'],
    ]),
    [stored('a', 'inbox'), stored('b', 'inbox'), stored('moved', 'inbox'), stored('gone', 'inbox')],
    new Set(),
  );
  assert.deepEqual(
    diff.map((d) => [d.id, d.kind, d.folderId]),
    [
      ['b', 'stale', 'inbox'],
      ['moved', 'stale', 'archive'], // listed in archive, stored in inbox: stale where Graph has it, not extra
      ['gone', 'extra', 'inbox'],
      ['new', 'missing', 'archive'],
    ],
  );
});

test('rows of a folder whose listing failed are not judged', () => {
  const diff = findDifferences(
    listed([]),
    [stored('x', 'broken'), stored('y', 'inbox')],
    new Set(['broken']),
  );
  assert.deepEqual(
    diff.map((d) => d.id),
    ['y'],
  );
});

test('verdicts: an extra Graph still has is stale (or no difference), unrepaired ones fail the folder', () => {
  const folders: AuditedFolder[] = [
    { folderId: 'inbox', name: 'Inbox', stored: 5, atGraph: 4 },
    { folderId: 'archive', name: 'Archive', stored: 1, atGraph: 2 },
    { folderId: 'new', name: 'New', stored: 0, atGraph: 1, problem: 'not in the copy yet' },
    { folderId: 'quiet', name: 'Quiet', stored: 3, atGraph: 3 },
  ];
  const outcomes = new Map<string, RepairOutcome>([
    ['gone', 'fixed'],
    ['missed-by-listing', 'same'],
    ['changed', 'found'],
    ['m1', 'fixed'],
    ['m2', 'unrepaired'],
  ]);
  const reports = folderReports(
    folders,
    [
      { id: 'gone', kind: 'extra', folderId: 'inbox' },
      { id: 'missed-by-listing', kind: 'extra', folderId: 'inbox' },
      { id: 'changed', kind: 'extra', folderId: 'inbox' },
      { id: 'm1', kind: 'missing', folderId: 'archive' },
      { id: 'm2', kind: 'missing', folderId: 'archive' },
      { id: 'n1', kind: 'missing', folderId: 'new' },
    ],
    outcomes,
    (n) => `${n} not repaired`,
  );
  const by = new Map(reports.map((r) => [r.folderId, r]));
  assert.deepEqual(
    ['inbox', 'archive', 'new', 'quiet'].map((id) => {
      const r = by.get(id)!;
      return [id, r.missing, r.extra, r.stale, r.repaired, r.status, r.error];
    }),
    [
      ['inbox', 0, 1, 1, 2, 'repaired', null],
      ['archive', 2, 0, 0, 1, 'failed', '1 not repaired'],
      ['new', 1, 0, 0, 0, 'failed', 'not in the copy yet'],
      ['quiet', 0, 0, 0, 0, 'complete', null],
    ],
  );
});
