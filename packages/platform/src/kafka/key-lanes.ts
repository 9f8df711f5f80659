import type { KafkaMessage } from 'kafkajs';

/**
 * A partition's batch split by message key (the user): each lane keeps its messages in offset order, and
 * lanes are independent, so one user's slow job never holds up another user's messages.
 */
export function lanesByKey(messages: KafkaMessage[]): KafkaMessage[][] {
  const lanes = new Map<string, KafkaMessage[]>();
  for (const m of messages) {
    const key = m.key?.toString('latin1') ?? '';
    const lane = lanes.get(key);
    if (lane) lane.push(m);
    else lanes.set(key, [m]);
  }
  return [...lanes.values()];
}

/**
 * Which offset of a batch can be committed: the one after the longest run of finished messages from the
 * batch's start. Messages finish out of order across lanes; a crash then repeats only unfinished work and
 * whatever finished after the first unfinished message (handlers are idempotent).
 */
export class CommitPoint {
  private readonly finished = new Set<string>();
  private next = 0;

  constructor(private readonly offsets: string[]) {}

  /** Marks `offset` finished; returns the offset to commit when the committable point moved, else undefined. */
  finish(offset: string): string | undefined {
    this.finished.add(offset);
    const before = this.next;
    while (this.next < this.offsets.length && this.finished.has(this.offsets[this.next])) this.next += 1;
    if (this.next === before) return undefined;
    return (BigInt(this.offsets[this.next - 1]) + 1n).toString();
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
