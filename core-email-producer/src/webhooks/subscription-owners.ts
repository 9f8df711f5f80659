import { Injectable } from '@nestjs/common';
import { GraphSubscriptionsRepository } from '@core-email/platform';

export interface SubscriptionOwner {
  userId: string;
  clientState: string;
}

/** Long enough to absorb a burst, short enough that a deleted account stops being accepted soon after. */
const TTL_MS = 30_000;
/** Bounds the memory a flood of genuine subscriptions can take; the oldest entries go first. */
const MAX_ENTRIES = 10_000;

/**
 * Who owns a Graph subscription, with a short in-process cache: a busy mailbox sends many notifications,
 * and a subscription's owner and clientState never change (a new subscription gets a new id). Only found
 * subscriptions are cached: one created a moment ago must be accepted at once, and a forger's random ids
 * must not fill the cache.
 */
@Injectable()
export class SubscriptionOwners {
  private readonly cache = new Map<string, { owner: SubscriptionOwner; until: number }>();

  constructor(private readonly subscriptions: GraphSubscriptionsRepository) {}

  async find(graphSubscriptionId: string): Promise<SubscriptionOwner | null> {
    const hit = this.cache.get(graphSubscriptionId);
    if (hit && hit.until > Date.now()) return hit.owner;
    this.cache.delete(graphSubscriptionId);
    const row = await this.subscriptions.findByGraphId(graphSubscriptionId);
    if (!row) return null;
    const owner = { userId: row.userId, clientState: row.clientState };
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(graphSubscriptionId, { owner, until: Date.now() + TTL_MS });
    return owner;
  }
}
