import type { AppConfig } from './config';
import { HealthPanel } from './components/health-panel';

export function App({ config }: { config: AppConfig }) {
  return (
    <div className="page">
      <header className="topbar">
        <h1>Core Email System</h1>
        <span className="muted small">API {config.apiUrl}</span>
      </header>
      <main>
        <HealthPanel apiUrl={config.apiUrl} />
      </main>
    </div>
  );
}
