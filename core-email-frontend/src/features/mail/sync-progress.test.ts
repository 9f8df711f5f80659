import { expect, test } from 'vitest';
import type { SyncEvent, SyncRun } from '../../api/models';
import { progressOf } from './sync-progress';

const RUN: SyncRun = {
  id: 'run-1',
  status: 'finished',
  mode: 'full',
  reason: 'connected',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
  lastProgressAt: '2026-01-01T00:01:00.000Z',
  messagesSynced: 60,
  error: null,
};

const live = (over: Partial<SyncEvent>): SyncEvent => ({
  runId: 'run-1',
  status: 'running',
  done: 30,
  total: 120,
  folders: [],
  at: '2026-01-01T00:00:30.000Z',
  ...over,
});

test('nothing before any run or event', () => {
  expect(progressOf(null, null)).toBeNull();
  expect(progressOf(null, undefined)).toBeNull();
});

test('without a live event, the run as GET /api/mail/sync reported it', () => {
  expect(progressOf(null, RUN)).toEqual({
    runId: 'run-1',
    status: 'finished',
    done: 60,
    total: 60,
    folders: [],
    error: undefined,
    at: RUN.lastProgressAt,
  });
  // A run still going does not know its total yet: the bar is indeterminate (total 0).
  expect(progressOf(null, { ...RUN, status: 'failed', error: 'reauth_required' })).toMatchObject({
    total: 0,
    error: 'reauth_required',
  });
});

test("the live event wins for the same run, or when it is newer than the run's last progress", () => {
  const sameRun = live({});
  expect(progressOf(sameRun, RUN)).toBe(sameRun);
  const newerRun = live({ runId: 'run-2', at: '2026-01-02T00:00:00.000Z' });
  expect(progressOf(newerRun, RUN)).toBe(newerRun);
  expect(progressOf(newerRun, null)).toBe(newerRun);
});

test('an older event of another run gives way to the run the API reports', () => {
  const older = live({ runId: 'run-0', at: '2025-12-31T00:00:00.000Z' });
  expect(progressOf(older, RUN)?.runId).toBe('run-1');
});
