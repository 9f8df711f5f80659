// The mailbox connection: its state and the one action that makes sense in it.
import type { OutlookConnection } from '../../../api/models';
import { Banner } from '../../../components/banner';
import { useConnectOutlook } from '../api/connect-outlook';
import { useDisconnectOutlook } from '../api/disconnect-outlook';
import type { useOutlook } from '../api/get-outlook';

const STATUS_LABELS: Record<OutlookConnection['status'], string> = {
  not_connected: 'Not connected',
  connected: 'Connected',
  reauth_required: 'Needs reconnect',
  disconnected: 'Disconnected',
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `outlook` is loaded by the dashboard, which also decides from it whether to show the mailbox. */
export function OutlookCard({ outlook }: { outlook: ReturnType<typeof useOutlook> }) {
  const connect = useConnectOutlook();
  const disconnect = useDisconnectOutlook();

  // The authorize URL is a full page on Microsoft's (or the emulator's) origin: leave the app for it.
  const startConnect = () =>
    connect.mutate(undefined, { onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl) });
  const startDisconnect = () => disconnect.mutate();

  return (
    <section className="card" aria-labelledby="outlook-title" data-testid="outlook-card">
      <header className="card-header">
        <h2 id="outlook-title">Outlook mailbox</h2>
        {outlook.status === 'success' && (
          <span className={`badge badge-outlook-${outlook.data.status}`} data-testid="outlook-status">
            {STATUS_LABELS[outlook.data.status] ?? outlook.data.status}
          </span>
        )}
      </header>

      {outlook.status === 'pending' && <p className="muted">Loading the connection…</p>}
      {outlook.status === 'error' && (
        <Banner tone="error">Could not load the connection: {errorText(outlook.error)}</Banner>
      )}
      {outlook.status === 'success' && (
        <ConnectionBody
          connection={outlook.data}
          busy={connect.isPending || disconnect.isPending}
          onConnect={startConnect}
          onDisconnect={startDisconnect}
        />
      )}
      {Boolean(connect.error ?? disconnect.error) && (
        <Banner tone="error">{errorText(connect.error ?? disconnect.error)}</Banner>
      )}
    </section>
  );
}

interface BodyProps {
  connection: OutlookConnection;
  busy: boolean;
  onConnect: () => void;
  onDisconnect: () => void;
}

function ConnectionBody({ connection, busy, onConnect, onDisconnect }: BodyProps) {
  switch (connection.status) {
    case 'connected':
      return (
        <div className="row">
          <p data-testid="outlook-connected">
            Connected as <strong>{connection.address}</strong>
            {connection.connectedAt && (
              <span className="muted small"> since {new Date(connection.connectedAt).toLocaleString()}</span>
            )}
          </p>
          <button type="button" className="button" disabled={busy} onClick={onDisconnect}>
            Disconnect
          </button>
        </div>
      );
    case 'reauth_required':
      return (
        <div className="row">
          <p data-testid="outlook-reauth">
            Microsoft no longer accepts this app's access to{' '}
            <strong>{connection.address ?? 'your mailbox'}</strong>. Reconnect to keep your mail in sync.
          </p>
          <button type="button" className="button button-primary" disabled={busy} onClick={onConnect}>
            Reconnect
          </button>
        </div>
      );
    default:
      // not_connected and disconnected: nothing is linked now.
      return (
        <div className="row">
          <p className="muted">
            {connection.status === 'disconnected' && connection.address
              ? `${connection.address} was disconnected. Connect again to resume syncing.`
              : 'Connect your Outlook mailbox to copy it here and keep it current.'}
          </p>
          <button type="button" className="button button-primary" disabled={busy} onClick={onConnect}>
            Connect Outlook
          </button>
        </div>
      );
  }
}
