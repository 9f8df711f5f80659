import { Injectable } from '@nestjs/common';
import { GraphSubscriptionsRepository } from '@core-email/platform';

export interface SubscriptionOwner {
  userId: string;
  clientState: string;
}

/** Long enough to absorb a burst, short enough that a deleted account stops being accepted soon after. */
const TTL_MS = 30_000;
/**
 * Graph retries a notification for a subscription we deleted for hours; a few seconds of memory spare the
 * database those repeats, and are short enough that a subscription whose row was being written when its
 * first notification came is accepted from its next one.
 */
const UNKNOWN_TTL_MS = 5_000;
/** Bounds the memory each cache can take; the oldest entries go first. */
const MAX_ENTRIES = 10_000;

/**
 * Who owns the live Graph subscriptions a request names, with a short in-process cache: a busy mailbox sends
 * many notifications, and a subscription's owner and clientState never change (a new subscription gets a new
 * id). Whatever a request names costs at most one query, however many items it carries.
 */
@Injectable()
export class SubscriptionOwners {
  private readonly known = new Map<string, { owner: SubscriptionOwner; until: number }>();
  private readonly unknown = new Map<string, number>();

  constructor(private readonly subscriptions: GraphSubscriptionsRepository) {}

  async findMany(graphSubscriptionIds: Iterable<string>): Promise<Map<string, SubscriptionOwner>> {
    const now = Date.now();
    const found = new Map<string, SubscriptionOwner>();
    const missing: string[] = [];
    for (const id of new Set(graphSubscriptionIds)) {
      const hit = this.known.get(id);
      if (hit && hit.until > now) found.set(id, hit.owner);
      else if ((this.unknown.get(id) ?? 0) <= now) missing.push(id);
    }
    if (missing.length === 0) return found;
    const rows = await this.subscriptions.findActiveByGraphIds(missing);
    for (const id of missing) {
      const row = rows.get(id);
      if (!row) {
        remember(this.unknown, id, now + UNKNOWN_TTL_MS);
        continue;
      }
      const owner = { userId: row.userId, clientState: row.clientState };
      remember(this.known, id, { owner, until: now + TTL_MS });
      found.set(id, owner);
    }
    return found;
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}
