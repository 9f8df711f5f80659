import { setTimeout as sleep } from 'node:timers/promises';
import { GraphWaits, MailboxPausedError, MailboxWaitReason } from './graph-waits';

/** A request's place at its mailbox's gate, given back once its answer is read (release is idempotent). */
export interface Permit {
  release(): void;
}

export function permitOf(release: () => void): Permit {
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      release();
    },
  };
}

/**
 * What every Graph request for a mailbox passes (the throttle handler's view of a limiter): in-process
 * (MailboxLimiter) or shared by every replica through the Redis cluster (SharedMailboxLimits).
 */
export interface MailboxGate {
  /** Waits until a request may start and takes its place; MailboxPausedError past `waits.maxWaitMs`. */
  acquire(waits?: GraphWaits): Promise<Permit>;
  /** Nobody starts a request for this mailbox for `ms` (a later pause never shortens an earlier one). */
  pause(ms: number): void;
}

/** Whether a request may start now; if not, how long until it may (none for "busy": wait for a release). */
export type MailboxAdmission = { ok: true } | { ok: false; reason: MailboxWaitReason; waitMs: number } | Busy;
interface Busy {
  ok: false;
  reason: 'busy';
}

/**
 * The gate of one mailbox in this process: Outlook counts per app and mailbox, so all the work of one mailbox
 * shares it. It enforces
 * - at most `maxConcurrency` requests in flight,
 * - at most `budget` requests started per `windowMs` (a sliding window),
 * - a pause of the whole mailbox after a Retry-After: nobody starts a request until it is over.
 * On its own it holds for one process; SharedMailboxLimits puts the same limits in the Redis cluster for
 * every replica and keeps this one as its fallback (and its local mirror).
 */
export class MailboxLimiter implements MailboxGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private pausedUntil = 0;
  /** Start times inside the window, oldest first (`head` skips the expired ones without shifting). */
  private starts: number[] = [];
  private head = 0;
  lastUsedAt = Date.now();

  constructor(
    private readonly maxConcurrency: number,
    private readonly budget: number,
    private readonly windowMs: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  /** Whether a pause still holds (an idle limiter that is paused must not be forgotten). */
  get paused(): boolean {
    return this.pausedUntil > Date.now();
  }

  /** Takes a place now if the limits allow it (pair it with release()), without waiting. */
  take(now = Date.now()): MailboxAdmission {
    const paused = this.pausedUntil - now;
    if (paused > 0) return { ok: false, reason: 'paused', waitMs: paused };
    const overBudget = this.overBudgetMs(now);
    if (overBudget > 0) return { ok: false, reason: 'budget', waitMs: overBudget };
    if (this.active >= this.maxConcurrency) return { ok: false, reason: 'busy' };
    this.active += 1;
    this.starts.push(now);
    this.lastUsedAt = now;
    return { ok: true };
  }

  /** Gives back a place taken by take() for a request that was not sent (its start no longer counts). */
  untake(): void {
    if (this.starts.length > this.head) this.starts.pop();
    this.release();
  }

  /** Resolves at the next release (a busy caller tries again then). */
  released(): Promise<void> {
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  async acquire(waits: GraphWaits = {}): Promise<Permit> {
    for (;;) {
      const admission = this.take();
      if (admission.ok) return permitOf(() => this.release());
      if (admission.reason === 'busy') await this.released();
      else await waitFor(admission.waitMs, admission.reason, waits);
    }
  }

  release(): void {
    this.active -= 1;
    this.lastUsedAt = Date.now();
    this.waiting.shift()?.();
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private overBudgetMs(now: number): number {
    while (this.head < this.starts.length && this.starts[this.head] <= now - this.windowMs) this.head += 1;
    if (this.head > 1024) {
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
    const inWindow = this.starts.length - this.head;
    return inWindow >= this.budget ? Math.max(1, this.starts[this.head] + this.windowMs - now) : 0;
  }
}

/**
 * One limiter per mailbox for the whole process. Idle ones (nothing in flight, no pause, unused for a window)
 * are forgotten by a sweep that runs at most once per window, so a call costs O(1) however many mailboxes
 * the process has seen (review L15: it used to scan them all on every call).
 */
export class MailboxLimiters {
  private readonly byMailbox = new Map<string, MailboxLimiter>();
  private lastSweep = Date.now();

  constructor(
    private readonly maxConcurrency: number,
    private readonly budget: number,
    private readonly windowMs: number,
  ) {}

  get size(): number {
    return this.byMailbox.size;
  }

  forMailbox(userId: string, now = Date.now()): MailboxLimiter {
    if (now - this.lastSweep >= this.windowMs) this.forgetIdle(now);
    let limiter = this.byMailbox.get(userId);
    if (!limiter) {
      limiter = new MailboxLimiter(this.maxConcurrency, this.budget, this.windowMs);
      this.byMailbox.set(userId, limiter);
    }
    return limiter;
  }

  private forgetIdle(now: number): void {
    this.lastSweep = now;
    const cutoff = now - this.windowMs;
    for (const [userId, limiter] of this.byMailbox) {
      if (limiter.inFlight === 0 && !limiter.paused && limiter.lastUsedAt < cutoff) {
        this.byMailbox.delete(userId);
      }
    }
  }
}

/**
 * One wait for a pause or the budget, as the request asked: refused past its maxWaitMs, run through its
 * `around` (which may give back what the caller holds meanwhile).
 */
export async function waitFor(ms: number, reason: MailboxWaitReason, waits: GraphWaits): Promise<void> {
  if (waits.maxWaitMs !== undefined && ms > waits.maxWaitMs) throw new MailboxPausedError(ms, reason);
  const sleepOut = () => sleep(ms);
  await (waits.around ? waits.around(sleepOut) : sleepOut());
}
