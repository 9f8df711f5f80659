// Delivers change notifications and lifecycle events: batched per URL, POSTed with a 3 s timeout, retried
// with exponential backoff on failure or slowness, dropped once the retry window has passed (Graph: 4 h).
import type { EmulatorConfig } from '../config/config';
import { log } from '../log';
import type { EmulatorState } from '../store/state';
import { postWithTimeout } from './http-post';

export interface Outgoing {
  body: Record<string, unknown>;
  subscriptionId: string;
  mailboxId: string;
  lifecycle: boolean;
}

interface Batch {
  url: string;
  items: Outgoing[];
  firstAttemptAt: number;
  attempt: number;
}

const MAX_BATCH = 100;

export class Notifier {
  private readonly queues = new Map<string, Outgoing[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: EmulatorState,
    /** Called with the subscriptions whose change notifications were dropped (→ `missed`). */
    private readonly onDropped: (subscriptionIds: string[]) => void,
  ) {}

  enqueue(url: string, item: Outgoing): void {
    if (this.stopped) return;
    let queue = this.queues.get(url);
    if (!queue) {
      queue = [];
      this.queues.set(url, queue);
      this.later(this.config.notificationBatchMs, () => this.flush(url));
    }
    queue.push(item);
  }

  /** Takes back a subscription's change notifications still waiting for their batch; returns how many. */
  withdraw(url: string, subscriptionId: string): number {
    const queue = this.queues.get(url);
    if (!queue) return 0;
    let kept = 0;
    for (const item of queue)
      if (item.lifecycle || item.subscriptionId !== subscriptionId) queue[kept++] = item;
    const withdrawn = queue.length - kept;
    queue.length = kept;
    return withdrawn;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queues.clear();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private flush(url: string): void {
    const items = this.queues.get(url) ?? [];
    this.queues.delete(url);
    for (let i = 0; i < items.length; i += MAX_BATCH) {
      void this.send({ url, items: items.slice(i, i + MAX_BATCH), firstAttemptAt: Date.now(), attempt: 0 });
    }
  }

  private async send(batch: Batch): Promise<void> {
    const payload = JSON.stringify({ value: batch.items.map((i) => i.body) });
    const result = await postWithTimeout(
      batch.url,
      payload,
      'application/json; charset=utf-8',
      this.config.notificationTimeoutMs,
    );
    if (this.stopped) return;
    if (result.ok) {
      for (const item of batch.items) {
        const c = this.state.countersFor(item.mailboxId);
        if (item.lifecycle) c.lifecycleEventsSent++;
        else c.notificationsDelivered++;
      }
      return;
    }
    for (const item of batch.items)
      if (!item.lifecycle) this.state.countersFor(item.mailboxId).notificationsFailed++;
    const elapsed = Date.now() - batch.firstAttemptAt;
    const windowMs = this.config.notificationRetryWindowSeconds * 1000;
    const delay = this.config.notificationRetryInitialMs * 2 ** batch.attempt;
    if (elapsed + delay > windowMs) return this.drop(batch, result.status, result.error);
    log.debug('notification delivery failed, will retry', {
      url: batch.url,
      status: result.status,
      error: result.error,
      delayMs: delay,
    });
    this.later(delay, () => void this.send({ ...batch, attempt: batch.attempt + 1 }));
  }

  private drop(batch: Batch, status: number, error?: string): void {
    log.info('notifications dropped after the retry window', {
      url: batch.url,
      count: batch.items.length,
      status,
      error,
    });
    const dropped = new Set<string>();
    for (const item of batch.items) {
      if (item.lifecycle) continue;
      this.state.countersFor(item.mailboxId).notificationsDropped++;
      dropped.add(item.subscriptionId);
    }
    if (dropped.size > 0) this.onDropped([...dropped]);
  }
}
