// A tiny history router: three pages do not need a router library. Paths are plain URLs (/log-in,
// /sign-up, /), so the static server must answer index.html for unknown paths (nginx does: try_files).
import { useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';

const NAVIGATED = 'core-email:navigated';

interface NavigateOptions {
  /** Replace the current history entry, so the back button does not return to a redirect. */
  replace?: boolean;
  /** Handed to the next page through history.state (read it with `navigationState()`). */
  state?: Record<string, unknown>;
}

/** Goes to `path` inside the app. */
export function navigate(path: string, { replace = false, state }: NavigateOptions = {}): void {
  if (path === window.location.pathname + window.location.search && !state) return;
  if (replace) window.history.replaceState(state ?? null, '', path);
  else window.history.pushState(state ?? null, '', path);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** What the previous page passed in `navigate(path, { state })`, if anything. */
export function navigationState(): Record<string, unknown> {
  const state: unknown = window.history.state;
  return typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : {};
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    // Let the browser handle new-tab clicks; take plain clicks ourselves.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
