/**
 * The one gate every Graph request for a mailbox passes: Outlook counts per app and mailbox, so all the
 * work of one mailbox in this process shares it. It enforces
 * - at most `maxConcurrency` requests in flight,
 * - at most `budget` requests started per `windowMs` (a sliding window),
 * - a pause of the whole mailbox after a Retry-After: nobody starts a request until it is over.
 * Kafka keys jobs by user, so one mailbox is worked on by one consumer at a time and a per-process gate is
 * enough.
 */
export class MailboxLimiter {
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

  async acquire(): Promise<void> {
    for (;;) {
      const wait = this.waitMs(Date.now());
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      if (this.active < this.maxConcurrency) {
        this.active += 1;
        this.starts.push(Date.now());
        this.lastUsedAt = Date.now();
        return;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  release(): void {
    this.active -= 1;
    this.lastUsedAt = Date.now();
    this.waiting.shift()?.();
  }

  /** Nobody starts a request for this mailbox for `ms` (a later pause never shortens an earlier one). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private waitMs(now: number): number {
    const paused = this.pausedUntil - now;
    while (this.head < this.starts.length && this.starts[this.head] <= now - this.windowMs) this.head += 1;
    if (this.head > 1024) {
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
    const inWindow = this.starts.length - this.head;
    const overBudget = inWindow >= this.budget ? this.starts[this.head] + this.windowMs - now : 0;
    return Math.max(paused, overBudget, 0);
  }
}

/** One limiter per mailbox for the whole process; idle ones are forgotten after a window. */
export class MailboxLimiters {
  private readonly byMailbox = new Map<string, MailboxLimiter>();

  constructor(
    private readonly maxConcurrency: number,
    private readonly budget: number,
    private readonly windowMs: number,
  ) {}

  forMailbox(userId: string): MailboxLimiter {
    this.forgetIdle();
    let limiter = this.byMailbox.get(userId);
    if (!limiter) {
      limiter = new MailboxLimiter(this.maxConcurrency, this.budget, this.windowMs);
      this.byMailbox.set(userId, limiter);
    }
    return limiter;
  }

  private forgetIdle(): void {
    const cutoff = Date.now() - this.windowMs;
    for (const [userId, limiter] of this.byMailbox) {
      if (limiter.inFlight === 0 && limiter.lastUsedAt < cutoff) this.byMailbox.delete(userId);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
