import { DependencyHealth, HealthReport, useHealth } from '../api/get-health';

/** The dependencies the producer reports, in the order a reader expects them, with readable names. */
const KNOWN_DEPENDENCIES: Array<[key: string, label: string]> = [
  ['postgres_primary', 'PostgreSQL primary'],
  ['postgres_replica', 'PostgreSQL replica'],
  ['redis_cluster', 'Redis cluster'],
  ['kafka', 'Kafka'],
];

const OVERALL_LABELS: Record<string, string> = {
  ok: 'all systems up',
  // Only Kafka is down: reads and sign-in work, new jobs wait in the outbox.
  degraded: 'degraded',
  error: 'down',
  shutting_down: 'shutting down',
};

function rowsOf(report: HealthReport): Array<{ key: string; label: string; health?: DependencyHealth }> {
  const known = KNOWN_DEPENDENCIES.map(([key, label]) => ({ key, label, health: report.details[key] }));
  // A dependency added to the API later still shows up, under its raw name, before the UI learns about it.
  const knownKeys = new Set(KNOWN_DEPENDENCIES.map(([key]) => key));
  const extra = Object.keys(report.details)
    .filter((key) => !knownKeys.has(key))
    .map((key) => ({ key, label: key, health: report.details[key] }));
  return [...known, ...extra];
}

function detailOf(health?: DependencyHealth): string {
  if (!health) return 'not reported by the API';
  if (health.message) return health.message;
  if (typeof health.role === 'string') return health.role;
  return '';
}

function DependencyRow({ name, label, health }: { name: string; label: string; health?: DependencyHealth }) {
  const status = health?.status ?? 'unknown';
  return (
    <tr data-dependency={name}>
      <th scope="row">{label}</th>
      <td>
        <span className={`badge badge-${status}`} data-testid={`status-${name}`}>
          {status}
        </span>
      </td>
      <td className="detail">{detailOf(health)}</td>
    </tr>
  );
}

export function HealthPanel({ apiUrl }: { apiUrl: string }) {
  const health = useHealth(apiUrl);

  return (
    <section className="card card-compact health-panel" aria-labelledby="health-title">
      <header className="card-header">
        <h2 id="health-title">System health</h2>
        {health.kind === 'ok' && (
          <span className={`badge badge-${health.report.status}`} data-testid="overall-status">
            {OVERALL_LABELS[health.report.status] ?? health.report.status}
          </span>
        )}
      </header>

      {health.kind === 'loading' && <p className="muted">Checking the API at {apiUrl}…</p>}

      {health.kind === 'unreachable' && (
        <div className="banner banner-error" role="alert" data-testid="api-unreachable">
          <strong>The API is unreachable.</strong> No answer from {apiUrl}/api/health ({health.reason}). Is
          the producer running? Retrying every few seconds.
        </div>
      )}

      {health.kind === 'ok' && (
        <table className="health-table">
          <thead className="visually-hidden">
            <tr>
              <th scope="col">Dependency</th>
              <th scope="col">State</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {rowsOf(health.report).map((row) => (
              <DependencyRow key={row.key} name={row.key} label={row.label} health={row.health} />
            ))}
          </tbody>
        </table>
      )}

      {health.kind !== 'loading' && (
        <p className="muted small">Last checked {health.checkedAt.toLocaleTimeString()}</p>
      )}
    </section>
  );
}
