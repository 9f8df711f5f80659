/**
 * Work in lanes: one lane's items run one after another in the order they were pushed, and up to `limit`
 * lanes run at once. A lane is a topic and a message key (a user), so one user's slow job never holds up
 * another user's messages, and one user's messages keep their order. `work` takes a lane's next items: one,
 * or as many of the queued ones as `batchSize` allows (a handler that coalesces takes them together).
 */
export class LaneScheduler<T> {
  private readonly lanes = new Map<string, T[]>();
  private readonly waiting: string[] = [];
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly work: (items: T[]) => Promise<void>,
    private readonly batchSize: (first: T) => number = () => 1,
  ) {}

  push(lane: string, item: T): void {
    const queue = this.lanes.get(lane);
    if (queue) {
      queue.push(item); // the lane is running or waiting: its drain takes it in turn
      return;
    }
    this.lanes.set(lane, [item]);
    this.waiting.push(lane);
    this.pump();
  }

  /** Starts nothing more; resolves once the items already running have finished. */
  close(): Promise<void> {
    this.closed = true;
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.closed) {
      if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    while (this.running < Math.max(1, this.limit) && this.waiting.length > 0) {
      this.running += 1;
      void this.drain(this.waiting.shift()!);
    }
  }

  /**
   * Runs a lane's items while no other lane waits; then it goes to the back of the line, so a lane that
   * keeps receiving never starves the others. `work` must not throw: the caller decides what a failure means.
   */
  private async drain(lane: string): Promise<void> {
    const queue = this.lanes.get(lane)!;
    try {
      do {
        const count = Math.max(1, Math.min(queue.length, this.batchSize(queue[0])));
        await this.work(queue.slice(0, count));
        queue.splice(0, count);
      } while (queue.length > 0 && this.waiting.length === 0 && !this.closed);
    } finally {
      if (queue.length > 0) this.waiting.push(lane);
      else this.lanes.delete(lane);
      this.running -= 1;
      this.pump();
    }
  }
}

/**
 * The offsets of one partition handed to the lanes, in fetch order, and which of them finished. The offset to
 * commit is the one after the longest finished run from the start: messages finish out of order across
 * lanes, and a crash then repeats only what was unfinished or finished after the first unfinished one
 * (handlers are idempotent).
 */
export class OffsetLog {
  private offsets: string[] = [];
  private readonly finished = new Set<string>();
  private head = 0;

  get pending(): number {
    return this.offsets.length - this.head;
  }

  add(offset: string): void {
    this.offsets.push(offset);
  }

  /** Marks `offset` finished; returns the offset to commit when the finished run grew, else undefined. */
  finish(offset: string): string | undefined {
    this.finished.add(offset);
    const before = this.head;
    while (this.head < this.offsets.length && this.finished.has(this.offsets[this.head])) {
      this.finished.delete(this.offsets[this.head]);
      this.head += 1;
    }
    if (this.head === before) return undefined;
    const next = (BigInt(this.offsets[this.head - 1]) + 1n).toString();
    if (this.head > 1_000) {
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
    }
    return next;
  }
}

/** Runs `work` over `items` with at most `limit` at once; the first failure fails the whole. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
