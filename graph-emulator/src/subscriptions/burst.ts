// Exchange does not send one notification per change through a burst: when many messages move at once (a bulk
// move, a mass delete) it stops notifying for that burst and sends a single `missed` lifecycle event, after
// which the app must resync. A fixed window per subscription models it. Only moves and deletions count: the
// field reports are of bulk moves, and new mail arriving quickly is notified (batched) as it arrives.

export type BurstVerdict = 'send' | 'overflow' | 'suppress';

interface Window {
  startedAt: number;
  count: number;
  overflowed: boolean;
}

export class BurstGuard {
  private readonly windows = new Map<string, Window>();

  constructor(
    /** More changes than this within one window overflow it; 0 turns the guard off. */
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one change for the subscription: `overflow` once per window, `suppress` for the rest of it. */
  record(subscriptionId: string, now: number): BurstVerdict {
    if (this.threshold === 0) return 'send';
    let w = this.windows.get(subscriptionId);
    if (!w || now - w.startedAt >= this.windowMs) {
      w = { startedAt: now, count: 0, overflowed: false };
      this.windows.set(subscriptionId, w);
    }
    w.count++;
    if (w.count <= this.threshold) return 'send';
    if (w.overflowed) return 'suppress';
    w.overflowed = true;
    return 'overflow';
  }

  forget(subscriptionId: string): void {
    this.windows.delete(subscriptionId);
  }
}
