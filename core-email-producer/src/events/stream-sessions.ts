import { Injectable } from '@nestjs/common';
import { SessionsRepository } from '../auth/sessions.repository';
import type { SessionUser } from '../auth/session-user';

/**
 * How often an open stream checks that its session still exists. The session is checked once when a stream
 * opens; without this, log-out, a password change or a deleted account would leave a stolen token's stream
 * delivering the user's events for as long as it stays open.
 */
export const SESSION_RECHECK_MS = 5_000;

/** The longest delay a Node timer takes (about 24.8 days); a later expiry is re-armed by the rechecks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Ends a stream when its session is revoked (seen within SESSION_RECHECK_MS) or its token expires. */
@Injectable()
export class StreamSessions {
  constructor(private readonly sessions: SessionsRepository) {}

  /** Calls `end` once, when the session is gone; returns what stops the watch (the stream closed first). */
  watch(user: SessionUser, end: () => void): () => void {
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      stop();
      end();
    };
    const expiry = setTimeout(finish, Math.min(MAX_TIMER_MS, Math.max(0, user.expiresAt - Date.now())));
    const recheck = setInterval(() => void this.check(user, finish), SESSION_RECHECK_MS);
    const stop = () => {
      clearTimeout(expiry);
      clearInterval(recheck);
    };
    return stop;
  }

  private async check(user: SessionUser, finish: () => void): Promise<void> {
    if (Date.now() >= user.expiresAt) return finish();
    try {
      if (!(await this.sessions.exists(user.userId, user.sessionId))) finish();
    } catch {
      // Redis unreachable: a revocation could not have been recorded either. The next recheck decides.
    }
  }
}
