export interface LaneOptions {
  /**
   * A lane whose current work has run this long stops holding one of the `limit` places: it goes on, and
   * another lane starts beside it (a mailbox waiting minutes on Graph does not hold up the others).
   */
  slowAfterMs?: number;
  /** At most this many slow lanes run beside the `limit` others (`limit` by default). */
  maxSlow?: number;
}

interface Lane<T> {
  queue: T[];
  running: boolean;
}

/**
 * Work in lanes: one lane's items run one after another in the order they were pushed, and up to `limit`
 * lanes run at once. A lane is a topic and a message key (a user), so one user's slow job never holds up
 * another user's messages, and one user's messages keep their order. `work` takes a lane's next items: one,
 * or as many of the queued ones as `batchSize` allows (a handler that coalesces takes them together).
 */
export class LaneScheduler<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly waiting: string[] = [];
  private running = 0;
  private slow = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly slowAfterMs: number | undefined;
  private readonly maxSlow: number;

  constructor(
    private readonly limit: number,
    private readonly work: (items: T[]) => Promise<void>,
    private readonly batchSize: (first: T) => number = () => 1,
    options: LaneOptions = {},
  ) {
    this.slowAfterMs = options.slowAfterMs;
    this.maxSlow = options.maxSlow ?? Math.max(1, limit);
  }

  push(lane: string, item: T): void {
    const current = this.lanes.get(lane);
    if (current) {
      current.queue.push(item); // the lane is running or waiting: its drain takes it in turn
      return;
    }
    this.lanes.set(lane, { queue: [item], running: false });
    this.waiting.push(lane);
    this.pump();
  }

  /** Removes the queued (not started) items `unwanted` picks; running ones are left to finish. */
  drop(unwanted: (item: T) => boolean): number {
    let dropped = 0;
    for (const [name, lane] of this.lanes) {
      const kept = lane.queue.filter((item) => !unwanted(item));
      dropped += lane.queue.length - kept.length;
      lane.queue = kept;
      if (kept.length === 0 && !lane.running) this.lanes.delete(name);
    }
    if (dropped > 0) {
      const left = this.waiting.filter((name) => this.lanes.has(name));
      this.waiting.splice(0, this.waiting.length, ...left);
    }
    return dropped;
  }

  /** Starts nothing more; resolves once the items already running have finished. */
  close(): Promise<void> {
    this.closed = true;
    if (this.running + this.slow === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.closed) {
      if (this.running + this.slow === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    while (this.running < Math.max(1, this.limit) && this.waiting.length > 0) {
      const name = this.waiting.shift()!;
      const lane = this.lanes.get(name)!;
      this.running += 1;
      lane.running = true;
      void this.drain(name, lane);
    }
  }

  /**
   * Runs a lane's items while no other lane waits; then it goes to the back of the line, so a lane that
   * keeps receiving never starves the others. A lane whose work turned slow gave its place away and ends its
   * turn after that work. `work` must not throw: the caller decides what a failure means.
   */
  private async drain(name: string, lane: Lane<T>): Promise<void> {
    let holdsPlace = true;
    try {
      do {
        const count = Math.max(1, Math.min(lane.queue.length, this.batchSize(lane.queue[0])));
        const items = lane.queue.splice(0, count);
        const watch = this.watchSlow(() => {
          holdsPlace = false;
          this.running -= 1;
          this.slow += 1;
          this.pump();
        });
        try {
          await this.work(items);
        } finally {
          watch.stop();
        }
      } while (holdsPlace && lane.queue.length > 0 && this.waiting.length === 0 && !this.closed);
    } finally {
      if (holdsPlace) this.running -= 1;
      else this.slow -= 1;
      lane.running = false;
      if (lane.queue.length > 0) this.waiting.push(name);
      else this.lanes.delete(name);
      this.pump();
    }
  }

  /** Calls `becameSlow` once the work has run `slowAfterMs` (later if the slow lanes are all taken). */
  private watchSlow(becameSlow: () => void): { stop(): void } {
    const after = this.slowAfterMs;
    if (after === undefined) return { stop: () => undefined };
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      timer = setTimeout(() => {
        timer = undefined;
        if (this.closed) return;
        if (this.slow < this.maxSlow) becameSlow();
        else arm(Math.max(100, after / 4));
      }, ms);
      timer.unref();
    };
    arm(after);
    return { stop: () => timer && clearTimeout(timer) };
  }
}

/**
 * The unfinished offsets of one partition, in ascending order. Finished ones are
 * dropped from the front at once and compacted out of the middle once they outnumber the unfinished, so the
 * memory held is proportional to what is unfinished, however old the oldest unfinished one is.
 */
export class OffsetLog {
  private offsets: number[] = [];
  private head = 0;
  /** Finished offsets still in `offsets` behind an unfinished one. */
  private readonly done = new Set<number>();

  /** Unfinished offsets. */
  get size(): number {
    return this.offsets.length - this.head - this.done.size;
  }

  /** Offsets held in memory (unfinished, and finished ones not compacted yet). */
  get tracked(): number {
    return this.offsets.length;
  }

  /** The oldest unfinished offset. */
  get oldest(): number | undefined {
    return this.head < this.offsets.length ? this.offsets[this.head] : undefined;
  }

  /** Usually above every offset added before (then O(1)); one read again is put in its place. */
  add(offset: number): void {
    const last = this.offsets.length - 1;
    if (last < this.head || this.offsets[last] < offset) {
      this.offsets.push(offset);
      return;
    }
    let low = this.head;
    let high = this.offsets.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.offsets[mid] < offset) low = mid + 1;
      else high = mid;
    }
    if (low === this.head && this.head > 0) this.offsets[--this.head] = offset;
    else this.offsets.splice(low, 0, offset);
  }

  finish(offset: number): void {
    if (this.offsets[this.head] === offset) this.head += 1;
    else this.done.add(offset);
    while (this.head < this.offsets.length && this.done.delete(this.offsets[this.head])) this.head += 1;
    const garbage = this.head + this.done.size;
    if (garbage > 64 && garbage > this.size) {
      this.offsets = this.offsets.slice(this.head).filter((o) => !this.done.has(o));
      this.done.clear();
      this.head = 0;
    }
  }
}
