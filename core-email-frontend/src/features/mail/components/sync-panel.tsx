// The latest sync run: a bar overall and one per folder while it runs, the reason when it failed or is stuck,
// and the buttons that start a resync.
import type { ReactNode } from 'react';
import type { SyncEvent } from '../../../api/models';
import { Banner } from '../../../components/banner';
import type { ResyncMode } from '../api/resync';
import { ProgressBar } from './progress-bar';

const STATUS_LABELS: Record<SyncEvent['status'], string> = {
  running: 'Syncing…',
  finished: 'Synced',
  failed: 'Sync failed',
  stuck: 'Sync stuck',
};

interface SyncPanelProps {
  /** The run to show: the latest live event, else the run GET /api/mail/sync reported; null before any. */
  progress: SyncEvent | null;
  deliveryMode: 'push' | 'polling' | null;
  busy: boolean;
  error: string | null;
  onResync: (mode: ResyncMode) => void;
  /** The completeness audit: when the mailbox was last proven complete, and "Check now". */
  audit?: ReactNode;
}

export function SyncPanel({ progress, deliveryMode, busy, error, onResync, audit }: SyncPanelProps) {
  return (
    <section className="card" aria-labelledby="sync-title" data-testid="sync-panel">
      <header className="card-header">
        <h2 id="sync-title">Sync</h2>
        {progress && (
          <span className={`badge badge-sync-${progress.status}`} data-testid="sync-status">
            {STATUS_LABELS[progress.status]}
          </span>
        )}
      </header>
      {!progress && <p className="muted">No sync has run yet.</p>}
      {deliveryMode && (
        <p className="muted" data-testid="delivery-mode">
          {deliveryMode === 'push'
            ? 'Live: Outlook notifies every change.'
            : 'Polling: Outlook refused live notifications for now, so the mailbox is synced periodically.'}
        </p>
      )}
      {progress && <SyncProgress progress={progress} />}
      {progress?.error && (progress.status === 'failed' || progress.status === 'stuck') && (
        <Banner tone="error" testId="sync-error">
          {progress.status === 'stuck' ? 'No progress for a while: ' : 'Reason: '}
          {progress.error}
        </Banner>
      )}
      {error && <Banner tone="error">{error}</Banner>}
      <div className="row">
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={() => onResync('incremental')}
        >
          Resync
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => onResync('full')}>
          Full resync
        </button>
      </div>
      {audit}
    </section>
  );
}

function SyncProgress({ progress }: { progress: SyncEvent }) {
  return (
    <div className="stack-tight">
      <ProgressBar label="All folders" done={progress.done} total={progress.total} testId="sync-progress" />
      {progress.status === 'running' &&
        progress.folders.map((folder) => (
          <ProgressBar key={folder.folderId} label={folder.name} done={folder.done} total={folder.total} />
        ))}
    </div>
  );
}
