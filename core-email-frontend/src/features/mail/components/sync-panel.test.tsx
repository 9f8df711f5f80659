import { fireEvent, render, screen } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import type { SyncEvent } from '../../../api/models';
import { SyncPanel } from './sync-panel';

const running: SyncEvent = {
  runId: 'run-1',
  status: 'running',
  done: 30,
  total: 120,
  folders: [
    { folderId: 'inbox', name: 'Inbox', done: 20, total: 80 },
    { folderId: 'archive', name: 'Archive', done: 10, total: 40 },
  ],
  at: '2026-01-01T00:00:00.000Z',
};

const panel = (props: Partial<Parameters<typeof SyncPanel>[0]>) =>
  render(
    <SyncPanel
      progress={null}
      deliveryMode={null}
      busy={false}
      error={null}
      onResync={() => {}}
      {...props}
    />,
  );

test('before any run', () => {
  panel({});
  expect(screen.getByText('No sync has run yet.')).toBeTruthy();
  expect(screen.queryByTestId('sync-status')).toBeNull();
});

test('a running sync: the overall bar and one per folder', () => {
  panel({ progress: running, deliveryMode: 'push' });
  expect(screen.getByTestId('sync-status').textContent).toBe('Syncing…');
  expect(screen.getByTestId('sync-progress-count').textContent).toBe('30 / 120 (25 %)');
  expect(screen.getByLabelText('Archive').getAttribute('value')).toBe('10');
  expect(screen.getByTestId('delivery-mode').textContent).toMatch(/^Live/);
});

test('a stuck or failed run says why; a finished one shows no folder bars', () => {
  const { rerender } = panel({ progress: { ...running, status: 'stuck', error: 'no progress for 300 s' } });
  expect(screen.getByTestId('sync-error').textContent).toBe('No progress for a while: no progress for 300 s');
  rerender(
    <SyncPanel
      progress={{ ...running, status: 'finished', folders: running.folders }}
      deliveryMode="polling"
      busy={false}
      error={null}
      onResync={() => {}}
    />,
  );
  expect(screen.getByTestId('sync-status').textContent).toBe('Synced');
  expect(screen.queryByLabelText('Inbox')).toBeNull();
  expect(screen.getByTestId('delivery-mode').textContent).toMatch(/^Polling/);
});

test('Resync and Full resync ask for their mode; busy disables both', () => {
  const onResync = vi.fn();
  const { rerender } = panel({ onResync });
  fireEvent.click(screen.getByRole('button', { name: 'Resync' }));
  fireEvent.click(screen.getByRole('button', { name: 'Full resync' }));
  expect(onResync.mock.calls).toEqual([['incremental'], ['full']]);
  rerender(<SyncPanel progress={null} deliveryMode={null} busy error={null} onResync={onResync} />);
  expect(screen.getAllByRole('button').every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
});
