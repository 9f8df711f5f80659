// GET /api/health: the producer's view of its dependencies (the @nestjs/terminus report). Its OpenAPI entry
// has no response schema yet, so the report's shape is checked here, where it is read.
import { useQuery } from '@tanstack/react-query';

export interface DependencyHealth {
  status: 'up' | 'down';
  /** Why it is down, when it is. */
  message?: string;
  /** Other details the check adds, e.g. role: "replica". */
  [detail: string]: unknown;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'error' | 'shutting_down';
  details: Record<string, DependencyHealth>;
}

export async function getHealth(apiUrl: string, signal?: AbortSignal): Promise<HealthReport> {
  const response = await fetch(`${apiUrl}/api/health`, { signal, headers: { accept: 'application/json' } });
  // Terminus answers 503 with the same report when a dependency is down: that is an answer, not a failure.
  if (response.status !== 200 && response.status !== 503) {
    throw new Error(`GET /api/health answered HTTP ${response.status}`);
  }
  const body = (await response.json()) as Partial<HealthReport> | null;
  if (typeof body?.status !== 'string' || typeof body.details !== 'object' || body.details === null) {
    throw new Error('GET /api/health answered something that is not a health report');
  }
  return { status: body.status, details: body.details };
}

export type HealthState =
  | { kind: 'loading' }
  | { kind: 'ok'; report: HealthReport; checkedAt: Date }
  | { kind: 'unreachable'; reason: string; checkedAt: Date };

/** Health is the one thing the dashboard polls on a timer; see `useHealth`. */
export const HEALTH_REFRESH_MS = 5000;

/**
 * Polling is right here and nowhere else: health is a probe of the producer itself, so it must work when the
 * producer's push channel (server-sent events) is down, which is exactly when it matters. A poll is not
 * started while one is still running, so a slow API never piles requests up; a failed one is not retried,
 * the next poll is the retry, and it shows at once that the API is unreachable.
 */
export function useHealth(apiUrl: string, refreshMs = HEALTH_REFRESH_MS): HealthState {
  const health = useQuery({
    queryKey: ['health', apiUrl],
    queryFn: ({ signal }) => getHealth(apiUrl, signal),
    refetchInterval: refreshMs,
    refetchIntervalInBackground: true,
    retry: false,
  });
  if (health.status === 'pending') return { kind: 'loading' };
  // After a failed poll the last report is stale: the failure is what is shown.
  if (health.status === 'error') {
    return { kind: 'unreachable', reason: health.error.message, checkedAt: new Date(health.errorUpdatedAt) };
  }
  return { kind: 'ok', report: health.data, checkedAt: new Date(health.dataUpdatedAt) };
}
