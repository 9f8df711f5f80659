import type { User } from '../../api/types';
import { AccountCard } from '../../features/auth/components/account-card';
import { OutcomeBanner } from '../../features/outlook/components/outcome-banner';
import { OutlookCard } from '../../features/outlook/components/outlook-card';
import type { RedirectOutcome } from '../../features/outlook/redirect-outcome';

interface DashboardRouteProps {
  user: User;
  outcome: RedirectOutcome | null;
  onDismissOutcome: () => void;
}

export function DashboardRoute({ user, outcome, onDismissOutcome }: DashboardRouteProps) {
  return (
    <div className="stack">
      {outcome && <OutcomeBanner outcome={outcome} onDismiss={onDismissOutcome} />}
      <OutlookCard />
      <AccountCard user={user} />
    </div>
  );
}
