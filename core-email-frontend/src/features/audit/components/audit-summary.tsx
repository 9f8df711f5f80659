// In the Sync card: when the mailbox was last proven complete (the copy equal to Outlook, folder by folder),
// what the latest audit found, and the button that asks for an audit now.
import { Banner } from '../../../components/banner';
import type { MailboxAuditState } from '../use-mailbox-audit';

export function AuditSummary({ audit }: { audit: MailboxAuditState }) {
  const { data, pending, error } = audit;
  return (
    <div className="stack-tight" data-testid="audit-summary">
      <p className="muted" data-testid="last-proven-complete">
        {data?.lastProvenCompleteAt
          ? `Proven complete ${new Date(data.lastProvenCompleteAt).toLocaleString()}`
          : 'Not proven complete yet'}
        {data?.status === 'failed' && data.checkedAt
          ? ` · the check of ${new Date(data.checkedAt).toLocaleString()} could not prove every folder`
          : ''}
      </p>
      {error && <Banner tone="error">{error}</Banner>}
      <div className="row">
        <button type="button" className="button" disabled={pending} onClick={audit.checkNow}>
          {pending ? 'Checking…' : 'Check now'}
        </button>
      </div>
    </div>
  );
}
