import { useState } from 'react';
import type { User } from '../../api/types';
import { AccountCard } from '../../features/auth/components/account-card';
import { OutcomeBanner } from '../../features/outlook/components/outcome-banner';
import { OutlookCard } from '../../features/outlook/components/outlook-card';
import type { RedirectOutcome } from '../../features/outlook/redirect-outcome';

export function DashboardRoute({ user, outcome }: { user: User; outcome: RedirectOutcome | null }) {
  const [shownOutcome, setShownOutcome] = useState(outcome);
  return (
    <div className="stack">
      {shownOutcome && <OutcomeBanner outcome={shownOutcome} onDismiss={() => setShownOutcome(null)} />}
      <OutlookCard />
      <AccountCard user={user} />
    </div>
  );
}
