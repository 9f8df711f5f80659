// The banner after coming back from Microsoft's sign-in: connected, or what went wrong.
import { Banner } from '../../../components/banner';
import { describeFailure, type RedirectOutcome } from '../redirect-outcome';

export function OutcomeBanner({ outcome, onDismiss }: { outcome: RedirectOutcome; onDismiss: () => void }) {
  if (outcome.kind === 'connected') {
    return (
      <Banner tone="success" testId="outlook-outcome" onDismiss={onDismiss}>
        <strong>Outlook connected.</strong> Your mailbox is being copied.
      </Banner>
    );
  }
  return (
    <Banner tone="error" testId="outlook-outcome" onDismiss={onDismiss}>
      <strong>Outlook was not connected.</strong> {describeFailure(outcome.reason)}{' '}
      <span className="muted small" data-testid="outlook-outcome-reason">
        ({outcome.reason})
      </span>
    </Banner>
  );
}
