import type { MiddlewareOptions } from '@microsoft/microsoft-graph-client';

/** Why a mailbox may not send a request now. */
export type MailboxWaitReason = 'paused' | 'budget';

/**
 * The mailbox must wait longer than its caller is willing to (a Retry-After of minutes, or a spent budget):
 * the request was not sent. A caller that can come back later (a sync job) gives its capacity back instead
 * of sleeping on it. The graph client hands this on as a GraphError whose code is this name and whose
 * message is this one (see mailboxWaitOf).
 */
export class MailboxPausedError extends Error {
  constructor(
    readonly waitMs: number,
    readonly reason: MailboxWaitReason,
  ) {
    super(`mailbox ${reason === 'paused' ? 'paused by Graph' : 'out of request budget'} for ${waitMs} ms`);
    this.name = 'MailboxPausedError';
  }
}

/**
 * How long the mailbox must wait, when `error` is a MailboxPausedError (raw, or wrapped by the graph client,
 * which keeps only its name and message); undefined for any other error.
 */
export function mailboxWaitOf(error: unknown): number | undefined {
  if (error instanceof MailboxPausedError) return error.waitMs;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code !== 'MailboxPausedError' && error.name !== 'MailboxPausedError') return undefined;
  const ms = /for (\d+) ms/.exec(error.message)?.[1];
  return ms === undefined ? undefined : Number(ms);
}

/** What one request asks of the throttle handler while it waits for its mailbox. */
export interface GraphWaits {
  /** Fail with MailboxPausedError instead of waiting longer than this for a pause or the budget. */
  maxWaitMs?: number;
  /**
   * Runs each wait of the request (a pause, the budget, a backoff after a failed attempt): the caller can
   * give back what it holds meanwhile (a page slot) and take it again before the request goes on.
   */
  around?: (wait: () => Promise<void>) => Promise<void>;
}

/** Per-request GraphWaits, passed with `client.api(...).middlewareOptions([new GraphWaitOption(...)])`. */
export class GraphWaitOption implements MiddlewareOptions {
  constructor(readonly waits: GraphWaits) {}
}
