// Every page: the title bar (with who is signed in and Log out, when someone is), the page, and the small
// health panel at the bottom, so "is the API up?" is answerable from any screen, the log-in page included.
import type { ReactNode } from 'react';
import { HealthPanel } from './health-panel';

interface LayoutProps {
  apiUrl: string;
  /** Right side of the title bar: the user and Log out on the dashboard. */
  actions?: ReactNode;
  children: ReactNode;
}

export function Layout({ apiUrl, actions, children }: LayoutProps) {
  return (
    <div className="page">
      <header className="topbar">
        <h1>Core Email System</h1>
        {actions}
      </header>
      <main>{children}</main>
      <footer className="footer">
        <HealthPanel apiUrl={apiUrl} />
      </footer>
    </div>
  );
}
