// Who is calling Graph: resolved from the bearer token by src/graph/auth.ts, read by every handler.
import type { Response } from 'express';
import type { Mailbox } from '../store/mailbox';

export interface Caller {
  clientId: string;
  mailbox: Mailbox;
  scopes: Set<string>;
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('Graph handler reached without an authenticated caller');
  return caller;
}

/** The mailbox a /me or /users/{id} route works on (set by the users router). */
export function mailboxOf(res: Response): Mailbox {
  return (res.locals.mailbox as Mailbox | undefined) ?? callerOf(res).mailbox;
}
