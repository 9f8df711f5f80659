// The email table with the original dashboard's columns. A row opens the message.
import type { Address, MessageSummary } from '../../../api/models';

function who(address: Address | undefined): string {
  return address?.name || address?.address || '';
}

interface EmailTableProps {
  items: MessageSummary[];
  onOpen: (id: string) => void;
}

export function EmailTable({ items, onOpen }: EmailTableProps) {
  if (items.length === 0)
    return (
      <p className="muted" data-testid="email-empty">
        No messages here yet.
      </p>
    );
  return (
    <div className="table-scroll">
      <table className="email-table" data-testid="email-table">
        <thead>
          <tr>
            <th>User name</th>
            <th>Sender</th>
            <th>Recipient</th>
            <th>Subject</th>
            <th>Body preview</th>
            <th>Importance</th>
            <th>Attachments</th>
            <th>Read</th>
            <th>Received</th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr
              key={m.id}
              className={m.isRead ? '' : 'unread'}
              tabIndex={0}
              onClick={() => onOpen(m.id)}
              onKeyDown={(e) => e.key === 'Enter' && onOpen(m.id)}
            >
              <td>{m.userName}</td>
              <td title={m.sender.address ?? undefined}>{who(m.sender)}</td>
              <td>{m.toRecipients.map(who).join(', ')}</td>
              <td className="email-subject">{m.subject || '(no subject)'}</td>
              <td className="email-preview">{m.bodyPreview}</td>
              <td>{m.importance ?? ''}</td>
              <td>{m.hasAttachments ? 'Yes' : 'No'}</td>
              <td>{m.isRead ? 'Yes' : 'No'}</td>
              <td>{m.receivedAt ? new Date(m.receivedAt).toLocaleString() : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
