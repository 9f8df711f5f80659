// Messages of one folder (or of the whole mailbox) ordered by receivedDateTime, then id. Listing newest
// first with $skip is plain index arithmetic; inserts and removals are a binary search plus one splice.
import type { MessageRecord } from './types';

function compare(a: MessageRecord, b: MessageRecord): number {
  if (a.receivedMs !== b.receivedMs) return a.receivedMs - b.receivedMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class SortedIndex {
  private items: MessageRecord[] = [];
  private unsorted = false;

  get size(): number {
    return this.items.length;
  }

  insert(msg: MessageRecord): void {
    if (this.unsorted) {
      this.items.push(msg);
      return;
    }
    const n = this.items.length;
    if (n === 0 || compare(this.items[n - 1], msg) < 0) {
      this.items.push(msg);
      return;
    }
    this.items.splice(this.lowerBound(msg), 0, msg);
  }

  /** Bulk loading: append without ordering, then call `sort()` once. */
  beginBulk(): void {
    this.unsorted = true;
  }

  sort(): void {
    this.items.sort(compare);
    this.unsorted = false;
  }

  remove(msg: MessageRecord): void {
    const i = this.lowerBound(msg);
    if (this.items[i] === msg) this.items.splice(i, 1);
    else {
      const j = this.items.indexOf(msg);
      if (j >= 0) this.items.splice(j, 1);
    }
  }

  /** Newest first (receivedDateTime desc) or oldest first. */
  page(skip: number, top: number, newestFirst: boolean): MessageRecord[] {
    const out: MessageRecord[] = [];
    const n = this.items.length;
    for (let k = skip; k < skip + top && k < n; k++)
      out.push(newestFirst ? this.items[n - 1 - k] : this.items[k]);
    return out;
  }

  all(): readonly MessageRecord[] {
    return this.items;
  }

  private lowerBound(msg: MessageRecord): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.items[mid], msg) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
