// Minimal data loading for the few GETs the dashboard makes: load on mount and when `key` changes, reload
// on demand (after a mutation). No polling, no cache: each screen asks once.
import { useCallback, useEffect, useState } from 'react';

export type QueryState<T> =
  { status: 'loading' } | { status: 'success'; data: T } | { status: 'error'; error: Error };

export function useQuery<T>(
  key: string,
  fetcher: (signal: AbortSignal) => Promise<T>,
): QueryState<T> & { reload: () => void } {
  const [state, setState] = useState<QueryState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetcher(controller.signal).then(
      (data) => setState({ status: 'success', data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
    // `fetcher` is a new function each render on purpose: `key` and `generation` say when to load again.
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
