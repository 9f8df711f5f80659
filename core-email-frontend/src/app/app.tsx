// Which page to show: the dashboard at /, the log-in and sign-up pages, and the rule that the dashboard
// needs a session (without one, the log-in page; with one, log-in and sign-up go to the dashboard).
import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AppConfig } from '../config';
import { Layout } from '../components/layout';
import { UserMenu } from '../features/auth/components/user-menu';
import { SessionProvider, useSession } from '../features/auth/session';
import type { RedirectOutcome } from '../features/outlook/redirect-outcome';
import { queryClient } from '../lib/query-client';
import { navigate, usePathname } from '../lib/router';
import { DashboardRoute } from './routes/dashboard';
import { LogInRoute } from './routes/log-in';
import { SignUpRoute } from './routes/sign-up';

const PUBLIC_PATHS = new Set(['/log-in', '/sign-up']);

export function App({ config, outcome }: { config: AppConfig; outcome: RedirectOutcome | null }) {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <Routes apiUrl={config.apiUrl} outcome={outcome} />
      </SessionProvider>
    </QueryClientProvider>
  );
}

function Routes({ apiUrl, outcome: initialOutcome }: { apiUrl: string; outcome: RedirectOutcome | null }) {
  const { session } = useSession();
  const pathname = usePathname();
  const [outcome, setOutcome] = useState(initialOutcome);

  // The redirect's outcome belongs to the session that started the connect: when that session ends (log-out,
  // expiry), forget it, so the next user of this tab does not see it. (React's "adjust state on change".)
  const [previousStatus, setPreviousStatus] = useState(session.status);
  if (session.status !== previousStatus) {
    setPreviousStatus(session.status);
    if (previousStatus === 'signed-in') setOutcome(null);
  }
  const isPublic = PUBLIC_PATHS.has(pathname);

  // Redirects happen after render, in an effect, because navigating changes what this component renders.
  const target =
    session.status === 'signed-out' && !isPublic
      ? '/log-in'
      : session.status === 'signed-in' && pathname !== '/'
        ? '/'
        : null;
  useEffect(() => {
    if (target) navigate(target, { replace: true });
  }, [target]);

  if (session.status === 'loading' || target) {
    return (
      <Layout apiUrl={apiUrl}>
        <p className="muted">Loading…</p>
      </Layout>
    );
  }
  if (session.status === 'signed-in') {
    return (
      <Layout apiUrl={apiUrl} actions={<UserMenu user={session.user} />}>
        <DashboardRoute user={session.user} outcome={outcome} onDismissOutcome={() => setOutcome(null)} />
      </Layout>
    );
  }
  return <Layout apiUrl={apiUrl}>{pathname === '/sign-up' ? <SignUpRoute /> : <LogInRoute />}</Layout>;
}
