// A folder's change log, ordered by the mailbox change sequence. Each entry says "message X entered or
// changed in this folder" or "message X left this folder". Only an id's latest entry is live; older ones are
// skipped while reading and squeezed out by compaction, so a page costs O(log n + page size). Each entry
// also keeps the message's move generation at that moment: a removal must be reported under the default id
// the message had in this folder, not the one it has in the folder it moved to.

export interface DeltaEntry {
  seq: number;
  id: string;
  removed: boolean;
  moveGeneration: number;
}

/** [seq, id, removed, move generation (only when not 0)] */
export type DeltaRow = [number, string, 0 | 1] | [number, string, 0 | 1, number];

export interface DeltaScan {
  entries: DeltaEntry[];
  /** Seq of the last entry examined: the cursor of the next page. */
  cursor: number;
  /** True when no live entry with seq in (cursor, end] remains. */
  done: boolean;
}

export class DeltaLog {
  private seqs: number[] = [];
  private ids: string[] = [];
  private removedFlags: boolean[] = [];
  private generations: number[] = [];
  private latest = new Map<string, number>();

  append(seq: number, id: string, removed: boolean, moveGeneration = 0): void {
    this.seqs.push(seq);
    this.ids.push(id);
    this.removedFlags.push(removed);
    this.generations.push(moveGeneration);
    this.latest.set(id, seq);
    if (this.seqs.length > 2 * this.latest.size + 1024) this.compact();
  }

  /** Live entries with since < seq <= end, starting after `after`, at most `limit` of them. */
  scan(after: number, end: number, limit: number, includeRemoved: boolean): DeltaScan {
    const entries: DeltaEntry[] = [];
    let i = this.upperBound(after);
    let cursor = after;
    while (i < this.seqs.length && this.seqs[i] <= end && entries.length < limit) {
      const seq = this.seqs[i];
      const id = this.ids[i];
      cursor = seq;
      i++;
      if (this.latest.get(id) !== seq) continue;
      const removed = this.removedFlags[i - 1];
      if (removed && !includeRemoved) continue;
      entries.push({ seq, id, removed, moveGeneration: this.generations[i - 1] });
    }
    const done = !(i < this.seqs.length && this.seqs[i] <= end);
    return { entries, cursor, done };
  }

  toJSON(): DeltaRow[] {
    this.compact();
    return this.seqs.map((seq, i): DeltaRow => {
      const removed = this.removedFlags[i] ? 1 : 0;
      const gen = this.generations[i];
      return gen === 0 ? [seq, this.ids[i], removed] : [seq, this.ids[i], removed, gen];
    });
  }

  static fromJSON(rows: DeltaRow[]): DeltaLog {
    const log = new DeltaLog();
    for (const [seq, id, removed, gen] of rows) log.append(seq, id, removed === 1, gen ?? 0);
    return log;
  }

  private upperBound(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    const seqs: number[] = [];
    const ids: string[] = [];
    const flags: boolean[] = [];
    const gens: number[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      if (this.latest.get(this.ids[i]) !== this.seqs[i]) continue;
      seqs.push(this.seqs[i]);
      ids.push(this.ids[i]);
      flags.push(this.removedFlags[i]);
      gens.push(this.generations[i]);
    }
    this.seqs = seqs;
    this.ids = ids;
    this.removedFlags = flags;
    this.generations = gens;
  }
}
