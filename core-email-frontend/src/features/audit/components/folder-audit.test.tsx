import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import type { FolderAudit } from '../../../api/models';
import { FolderAuditLine } from './folder-audit';

const CHECKED = '2026-01-05T10:00:00.000Z';
const WHEN = new Date(CHECKED).toLocaleString();

const audit = (over: Partial<FolderAudit>): FolderAudit => ({
  folderId: 'inbox',
  name: 'Inbox',
  checkedAt: CHECKED,
  stored: 4,
  atGraph: 4,
  missing: 0,
  extra: 0,
  stale: 0,
  repaired: 0,
  status: 'complete',
  error: null,
  ...over,
});

function line(a: FolderAudit) {
  render(<FolderAuditLine audit={a} />);
  return screen.getByTestId('folder-audit');
}

test('complete: when it was proven', () => {
  expect(line(audit({})).textContent).toBe(`complete · ${WHEN}`);
});

test('repaired: how many and what differed', () => {
  const repaired = audit({ status: 'repaired', missing: 2, extra: 1, repaired: 3 });
  expect(line(repaired).textContent).toBe(`repaired 3 (2 missing, 1 extra) · ${WHEN}`);
});

test('failed: why, and what was found and repaired before it stopped', () => {
  const failed = line(audit({ status: 'failed', error: 'Graph throttled', stale: 1, repaired: 0 }));
  expect(failed.textContent).toBe('not proven: Graph throttled (1 stale, 0 repaired)');
  expect(failed.getAttribute('data-status')).toBe('failed');
});
