// One message opened from the table: its headers and its body.
import type { Address } from '../../../api/models';
import { Banner } from '../../../components/banner';
import { useMessage } from '../api/get-message';
import { MessageBody } from './message-body';

function list(addresses: Address[]): string {
  return addresses.map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? ''))).join(', ');
}

export function MessageView({ id, onClose }: { id: string; onClose: () => void }) {
  const message = useMessage(id);
  return (
    <section className="card" aria-labelledby="message-title" data-testid="message-view">
      <header className="card-header">
        <h2 id="message-title">
          {message.status === 'success' ? message.data.subject || '(no subject)' : 'Message'}
        </h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      </header>
      {message.status === 'pending' && <p className="muted">Loading the message…</p>}
      {message.status === 'error' && <Banner tone="error">{message.error.message}</Banner>}
      {message.status === 'success' && (
        <>
          <dl className="facts">
            <dt>From</dt>
            <dd>{list([message.data.from])}</dd>
            <dt>To</dt>
            <dd>{list(message.data.toRecipients)}</dd>
            {message.data.ccRecipients.length > 0 && (
              <>
                <dt>Cc</dt>
                <dd>{list(message.data.ccRecipients)}</dd>
              </>
            )}
            <dt>Received</dt>
            <dd>{message.data.receivedAt ? new Date(message.data.receivedAt).toLocaleString() : ''}</dd>
          </dl>
          <MessageBody content={message.data.body.content} contentType={message.data.body.contentType} />
        </>
      )}
    </section>
  );
}
