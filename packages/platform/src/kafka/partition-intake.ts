import { OffsetLog } from './key-lanes';

export interface IntakeBounds {
  /** Messages of one key (one lane) queued or running at once; the key's next ones are left in Kafka. */
  perKey: number;
  /** Messages of one partition queued or running at once; beyond it the partition is paused. */
  perPartition: number;
}

/**
 * What to do with a fetched message: `take` it (hand it to its lane), `pass` over it (already taken, or left
 * in Kafka to be read again once its key's lane has room: resolve it and go on), or `stop` (the partition is
 * full: neither this message nor the rest of the batch is resolved, the partition is paused and fetching
 * resumes at this message).
 */
export type Admission = 'take' | 'pass' | 'stop';

/**
 * A key whose lane was full: `count` of its messages, none before `from`, are left in Kafka. `exact`: the one
 * at `from` is the first of them; otherwise it is the key's first message read from `from` on.
 */
interface Deferral {
  from: number;
  exact: boolean;
  count: number;
}

/**
 * What one partition has taken in during one group generation, and what it left in Kafka.
 *
 * Only unfinished messages count against the bounds: messages of other keys that finished after an old
 * unfinished one are forgotten (their offsets are not kept), so one message stuck for minutes neither fills
 * the partition nor grows memory. A key whose lane is full is not waited for either: its further messages
 * are passed over — nothing of them is kept but a count and the first offset — and the partition goes on
 * with the other keys. Once that lane has drained to half, the consumer seeks the partition back to the
 * key's first deferred message; what was taken already is passed over again and the key's messages are
 * taken in their order. The offset to commit never passes an unfinished or deferred message.
 */
export class PartitionIntake {
  private readonly unfinished = new OffsetLog();
  private readonly queuedByKey = new Map<string, number>();
  private readonly deferred = new Map<string, Deferral>();
  /** One after the highest offset taken or deferred: below it, every message was seen once. */
  private end: number | undefined;
  /** Where fetching goes on (the message after the last one resolved, or where it was sought). */
  private next: number | undefined;
  /** Where the current reading began (the start, or the last seek): it went over everything since. */
  private readFrom: number | undefined;
  /** The first offset this generation read (fetching started there). */
  private first: number | undefined;
  /** The last offset committed by this generation (-1: none). */
  committed = -1;
  commits: Promise<void> = Promise.resolve();
  paused = false;
  /** Set once the group rebalanced: nothing of this generation is started or committed any more. */
  revoked = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly bounds: IntakeBounds,
  ) {}

  /** Messages taken and not finished yet. */
  get queued(): number {
    return this.unfinished.size;
  }

  /** Entries held for the bookkeeping: offsets, keys with queued messages, deferred keys. */
  get tracked(): number {
    return this.unfinished.tracked + this.queuedByKey.size + this.deferred.size;
  }

  /** Messages left in Kafka because their key's lane was full. */
  get deferredMessages(): number {
    let count = 0;
    for (const d of this.deferred.values()) count += d.count;
    return count;
  }

  /** `full`: the whole process holds as much as it may; the partition stops like a full one. */
  admit(offset: number, key: string, full = false): Admission {
    this.first ??= offset;
    this.readFrom ??= offset;
    const seen = this.end !== undefined && offset < this.end;
    const deferral = this.deferred.get(key);
    if (seen && !(deferral && offset >= deferral.from)) return this.pass(offset); // taken before
    if (!seen && deferral) {
      // The key has messages left in Kafka before this one: this one waits behind them.
      deferral.count += 1;
      this.end = offset + 1;
      return this.pass(offset);
    }
    // Read again: only the key's first deferred message may be taken (order), and only when this reading
    // went over everything from `from` on (so nothing of the key before it was missed).
    if (seen && !(deferral!.exact ? offset === deferral!.from : deferral!.from >= this.readFrom)) {
      return this.pass(offset);
    }
    if (full || this.unfinished.size >= this.bounds.perPartition) return 'stop';
    const queued = this.queuedByKey.get(key) ?? 0;
    if (queued >= this.bounds.perKey) {
      if (seen) Object.assign(deferral!, { from: offset, exact: true });
      else {
        this.deferred.set(key, { from: offset, exact: true, count: 1 });
        this.end = offset + 1;
      }
      return this.pass(offset);
    }
    if (deferral) {
      deferral.count -= 1;
      Object.assign(deferral, { from: offset + 1, exact: false });
      if (deferral.count === 0) this.deferred.delete(key);
    } else {
      this.end = offset + 1;
    }
    this.queuedByKey.set(key, queued + 1);
    this.unfinished.add(offset);
    this.next = offset + 1;
    return 'take';
  }

  finish(offset: number, key: string): void {
    this.unfinished.finish(offset);
    const queued = (this.queuedByKey.get(key) ?? 1) - 1;
    if (queued > 0) this.queuedByKey.set(key, queued);
    else this.queuedByKey.delete(key);
  }

  /** The offset to commit: the first unfinished or deferred one, or the end of what was read. */
  commitPoint(): number | undefined {
    let point = this.unfinished.oldest ?? this.end;
    for (const d of this.deferred.values()) if (point === undefined || d.from < point) point = d.from;
    return point;
  }

  /**
   * Where to seek the partition back to, so that deferred messages of keys whose lane has drained to half are
   * read again; undefined when there are none, or fetching reaches them anyway.
   */
  rereadFrom(): number | undefined {
    let from: number | undefined;
    for (const [key, d] of this.deferred) {
      if ((this.queuedByKey.get(key) ?? 0) > Math.floor(this.bounds.perKey / 2)) continue;
      if (from === undefined || d.from < from) from = d.from;
    }
    return from !== undefined && this.next !== undefined && from < this.next ? from : undefined;
  }

  /** The partition was sought back to `offset`. */
  soughtTo(offset: number): void {
    this.next = offset;
    this.readFrom = offset;
  }

  /** An offset at or before the group's committed one: where a later generation may safely restart. */
  restartPoint(): number | undefined {
    return this.committed >= 0 ? this.committed : this.first;
  }

  /** The partition may be fetched again: it drained to half its bound. */
  canResume(): boolean {
    return this.unfinished.size <= Math.floor(this.bounds.perPartition / 2);
  }

  private pass(offset: number): Admission {
    this.next = offset + 1;
    return 'pass';
  }
}
