// Who is signed in, for the whole app. The token is in sessionStorage (see lib/session-token.ts); the user
// comes from GET /api/me, so a reload or the return from Microsoft's sign-in restores the session, and an
// expired one is noticed at once.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Session, User } from '../../api/models';
import { onSessionEnded } from '../../lib/api-client';
import { forgetUserData } from '../../lib/query-client';
import { navigate } from '../../lib/router';
import { clearToken, readToken, saveToken } from '../../lib/session-token';
import { getMe } from './api/get-me';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; user: User }
  /** `notice` tells the log-in page why the user is there (session expired, signed out, account deleted). */
  | { status: 'signed-out'; notice?: string };

interface SessionContextValue {
  session: SessionState;
  /** After a successful log-in (or password change, which issues a new token). */
  startSession: (response: Session) => void;
  /** Forget the token locally and go to the log-in page with `notice`. */
  endSession: (notice?: string) => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>(() =>
    readToken() ? { status: 'loading' } : { status: 'signed-out' },
  );

  const endSession = useCallback((notice?: string) => {
    clearToken();
    forgetUserData();
    setSession({ status: 'signed-out', notice });
    navigate('/log-in', { replace: true });
  }, []);

  const startSession = useCallback((response: Session) => {
    saveToken(response.accessToken);
    setSession({ status: 'signed-in', user: response.user });
  }, []);

  // Any request that carried the token and got 401 means the server ended the session.
  useEffect(
    () => onSessionEnded(() => endSession('Your session has ended. Please log in again.')),
    [endSession],
  );

  // A token from an earlier page load: ask the API who it belongs to (401 ends the session, above).
  useEffect(() => {
    if (!readToken()) return;
    const controller = new AbortController();
    getMe(controller.signal).then(
      (user) => setSession({ status: 'signed-in', user }),
      () => {
        if (controller.signal.aborted) return;
        // Unreachable API or another failure: the token may still be good, but without a user there is
        // nothing to show; the log-in page says why and keeps the health panel in view.
        setSession((current) =>
          current.status === 'loading'
            ? { status: 'signed-out', notice: 'Could not reach the API to restore your session.' }
            : current,
        );
      },
    );
    return () => controller.abort();
  }, []);

  const value = useMemo(() => ({ session, startSession, endSession }), [session, startSession, endSession]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}
