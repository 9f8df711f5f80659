import type { User } from '../../api/models';
import { AccountCard } from '../../features/auth/components/account-card';
import { Mailbox } from '../../features/mail/components/mailbox';
import { useOutlook } from '../../features/outlook/api/get-outlook';
import { OutcomeBanner } from '../../features/outlook/components/outcome-banner';
import { OutlookCard } from '../../features/outlook/components/outlook-card';
import type { RedirectOutcome } from '../../features/outlook/redirect-outcome';

interface DashboardRouteProps {
  user: User;
  outcome: RedirectOutcome | null;
  onDismissOutcome: () => void;
}

export function DashboardRoute({ user, outcome, onDismissOutcome }: DashboardRouteProps) {
  const outlook = useOutlook();
  // The mail copy is shown while a mailbox is linked; after Reconnect is asked for, it is still there.
  const linked =
    outlook.status === 'success' && ['connected', 'reauth_required'].includes(outlook.data.status);
  return (
    <div className="stack">
      {outcome && <OutcomeBanner outcome={outcome} onDismiss={onDismissOutcome} />}
      <OutlookCard outlook={outlook} />
      {linked && <Mailbox />}
      <AccountCard user={user} />
    </div>
  );
}
