/** A page slot held: give it back once the page is stored (release is idempotent). */
export interface PageSlot {
  release(): void;
}

interface Waiter {
  grant(slot: PageSlot): void;
}

/**
 * The process's capacity for sync pages (a fetch and its store), shared between mailboxes a page at a time:
 * at most `limit` pages at once, and when a slot frees it goes to the next mailbox in turn (round robin over
 * the mailboxes waiting, whatever number of folders each has waiting), except that a mailbox whose first page
 * is not stored yet goes first. So a newly connected mailbox is shown its first page within a page's time,
 * however many large mailboxes are syncing, and each of them gets an equal share of the rest.
 */
export class PageSlots {
  private inUse = 0;
  /** Waiters of mailboxes with no page stored yet, first come first served. */
  private readonly urgent: Waiter[] = [];
  /** Everyone else, per mailbox; `turns` is the order in which mailboxes get the next free slot. */
  private readonly byMailbox = new Map<string, Waiter[]>();
  private readonly turns: string[] = [];

  constructor(private readonly limit: number) {}

  /** Pages being worked on now, and mailboxes waiting for a slot (for metrics and tests). */
  get stats(): { inUse: number; waiting: number } {
    let waiting = this.urgent.length;
    for (const queue of this.byMailbox.values()) waiting += queue.length;
    return { inUse: this.inUse, waiting };
  }

  /** Waits for a slot; `first`: the mailbox has no page stored yet (it goes before the others). */
  acquire(mailbox: string, first: boolean): Promise<PageSlot> {
    if (this.inUse < this.limit && this.urgent.length === 0 && this.turns.length === 0) {
      this.inUse += 1;
      return Promise.resolve(this.slot());
    }
    return new Promise<PageSlot>((resolve) => {
      const waiter = { grant: resolve };
      if (first) {
        this.urgent.push(waiter);
      } else {
        const queue = this.byMailbox.get(mailbox);
        if (queue) queue.push(waiter);
        else {
          this.byMailbox.set(mailbox, [waiter]);
          this.turns.push(mailbox);
        }
      }
      this.handOut();
    });
  }

  private slot(): PageSlot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inUse -= 1;
        this.handOut();
      },
    };
  }

  private handOut(): void {
    while (this.inUse < this.limit) {
      const waiter = this.next();
      if (!waiter) return;
      this.inUse += 1;
      waiter.grant(this.slot());
    }
  }

  private next(): Waiter | undefined {
    const urgent = this.urgent.shift();
    if (urgent) return urgent;
    const mailbox = this.turns.shift();
    if (mailbox === undefined) return undefined;
    const queue = this.byMailbox.get(mailbox)!;
    const waiter = queue.shift()!;
    if (queue.length > 0) this.turns.push(mailbox);
    else this.byMailbox.delete(mailbox);
    return waiter;
  }
}
