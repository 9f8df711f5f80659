import type { PageSlot, PageSlots } from '@core-email/platform';

/**
 * One folder's use of the process's page slots: a slot is taken before each page is fetched and given back
 * once the page is stored, and given back too while the page's request waits for its mailbox (a Retry-After,
 * the budget, a backoff), so a paused mailbox never holds capacity the others could use.
 */
export class PageTurn {
  private slot?: PageSlot;

  constructor(
    private readonly slots: PageSlots,
    private readonly mailbox: string,
    /** Whether the mailbox has no page stored yet in this run (its pages go first). */
    private readonly first: () => boolean,
  ) {}

  async begin(): Promise<void> {
    this.slot = await this.slots.acquire(this.mailbox, this.first());
  }

  end(): void {
    this.slot?.release();
    this.slot = undefined;
  }

  /** GraphWaits.around for the page's request: the slot is given back for the wait, taken again after. */
  readonly around = async (wait: () => Promise<void>): Promise<void> => {
    this.end();
    try {
      await wait();
    } finally {
      await this.begin();
    }
  };
}
