// GET /api/health: the producer's view of its dependencies (the @nestjs/terminus report).
import { useEffect, useState } from 'react';

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

/** Health is the one thing the dashboard polls; see the comment in the effect. */
export const HEALTH_REFRESH_MS = 5000;

export function useHealth(apiUrl: string, refreshMs = HEALTH_REFRESH_MS): HealthState {
  const [state, setState] = useState<HealthState>({ kind: 'loading' });

  useEffect(() => {
    // Polling is right here and nowhere else: health is a probe of the producer itself, so it must work when
    // the producer's push channel (server-sent events) is down, which is exactly when it matters. Each
    // request starts after the previous one finished, so a slow API never piles requests up.
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const check = async () => {
      try {
        const report = await getHealth(apiUrl, controller.signal);
        setState({ kind: 'ok', report, checkedAt: new Date() });
      } catch (error) {
        if (controller.signal.aborted) return;
        const reason = error instanceof Error ? error.message : String(error);
        setState({ kind: 'unreachable', reason, checkedAt: new Date() });
      }
      if (!controller.signal.aborted) timer = setTimeout(check, refreshMs);
    };
    void check();

    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [apiUrl, refreshMs]);

  return state;
}
