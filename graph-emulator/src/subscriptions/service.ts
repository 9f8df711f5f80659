// Subscription rules and fan-out: creation (validation handshake, expiry limits, clientState, per-mailbox
// cap), renewal, deletion, change notifications and lifecycle events. What Exchange Online does beyond the
// docs follows config.dialect: routine reauthorizationRequired as the subscription's access token nears
// expiry (and paused delivery once it has expired), no subscriptionRemoved on natural expiry, and one
// `missed` instead of a burst of notifications.
import type { EmulatorConfig } from '../config/config';
import { GraphError } from '../http/errors';
import { guid } from '../store/ids';
import type { Mailbox, MailboxChange } from '../store/mailbox';
import type { EmulatorState } from '../store/state';
import type { SubscriptionRecord } from '../store/types';
import { BurstGuard } from './burst';
import { notificationsFor } from './change-kinds';
import { Notifier } from './notifier';
import { changeItem, lifecycleItem, type LifecycleEvent } from './payloads';
import { validateEndpoint } from './validation';

export type { LifecycleEvent } from './payloads';
export type NewSubscription = Omit<
  SubscriptionRecord,
  'id' | 'needsReauthorization' | 'reauthorizationSentAt'
>;

const MIN_MINUTES = 45;
const SWEEP_MS = 1000;

function iso7(ms: number): string {
  // Graph writes seven fractional digits.
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export class SubscriptionService {
  readonly notifier: Notifier;
  private readonly bursts: BurstGuard;
  private sweeper?: NodeJS.Timeout;
  /** The sweep skips its scan until then: the earliest expiry or reauthorization notice due. */
  private nextSweepAt = 0;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: EmulatorState,
  ) {
    this.notifier = new Notifier(config, state, (ids) => ids.forEach((id) => this.lifecycle(id, 'missed')));
    this.bursts = new BurstGuard(config.missedBurstThreshold, config.missedBurstWindowMs);
    for (const sub of state.subscriptions.values()) this.upgrade(sub);
    state.onMailboxChange = (mailbox, change) => this.onChange(mailbox, change);
  }

  start(): void {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.notifier.stop();
  }

  /** Applies Graph's expiry rules: at least 45 minutes (raised silently), at most the configured maximum. */
  expiryFor(requested: string): string {
    const ms = Date.parse(requested);
    if (Number.isNaN(ms))
      throw new GraphError(400, 'InvalidRequest', `Invalid 'expirationDateTime' attribute: '${requested}'.`);
    const now = Date.now();
    if (ms - now > this.config.subscriptionMaxMinutes * 60_000) {
      throw new GraphError(
        400,
        'ExtensionError',
        `Subscription expiration can only be ${this.config.subscriptionMaxMinutes} minutes in the future.`,
      );
    }
    return iso7(Math.max(ms, now + MIN_MINUTES * 60_000));
  }

  checkUrl(url: string, field: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new GraphError(400, 'InvalidRequest', `Invalid '${field}' attribute: not an absolute URL.`);
    }
    const httpAllowed = this.config.allowHttpNotifications && parsed.protocol === 'http:';
    if (parsed.protocol !== 'https:' && !httpAllowed) {
      throw new GraphError(400, 'InvalidRequest', `Invalid '${field}' attribute: the URL must use https.`);
    }
  }

  async validate(urls: string[]): Promise<void> {
    for (const url of new Set(urls)) {
      if (!(await validateEndpoint(url, this.config.validationTimeoutMs))) {
        throw new GraphError(
          400,
          'InvalidRequest',
          'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
        );
      }
    }
  }

  checkCapacity(mailbox: Mailbox): void {
    if (this.state.subscriptionsOf(mailbox.identity.id).length >= this.config.subscriptionMaxPerMailbox) {
      throw new GraphError(
        403,
        'ExtensionError',
        `Operation: Create; Exception: [Status Code: Forbidden; Reason: The mailbox has reached the maximum of ${this.config.subscriptionMaxPerMailbox} subscriptions.]`,
      );
    }
  }

  add(sub: NewSubscription): SubscriptionRecord {
    const record: SubscriptionRecord = {
      ...sub,
      id: guid(),
      needsReauthorization: false,
      reauthorizationSentAt: null,
    };
    this.state.subscriptions.set(record.id, record);
    this.changed();
    return record;
  }

  remove(id: string): void {
    this.state.subscriptions.delete(id);
    this.bursts.forget(id);
    this.changed();
  }

  /** A renewal or reauthorization with a live grant: delivery resumes, the new token's expiry counts. */
  reauthorized(sub: SubscriptionRecord, accessTokenExpiresAt: number): void {
    sub.needsReauthorization = false;
    sub.reauthorizationSentAt = null;
    sub.accessTokenExpiresAt = accessTokenExpiresAt;
    this.changed();
  }

  /** Renewal moves the expiry; the sweep must look again. */
  renewed(sub: SubscriptionRecord, expirationDateTime: string): void {
    sub.expirationDateTime = expirationDateTime;
    this.changed();
  }

  /**
   * Sends a lifecycle event to the subscription's lifecycleNotificationUrl (if it has one). On demand, a
   * reauthorizationRequired also pauses delivery until the app reauthorizes, as a revoked grant does.
   */
  lifecycle(id: string, event: LifecycleEvent): boolean {
    const sub = this.state.subscriptions.get(id);
    if (!sub) return false;
    if (event === 'subscriptionRemoved') this.remove(id);
    if (event === 'reauthorizationRequired') {
      sub.needsReauthorization = true;
      sub.reauthorizationSentAt = Date.now();
      this.changed();
    }
    return this.sendLifecycle(sub, event);
  }

  /** A revoked grant: the app's subscriptions on that mailbox need reauthorization. */
  grantRevoked(clientId: string, mailboxId: string): void {
    for (const sub of this.state.subscriptionsOf(mailboxId)) {
      if (sub.applicationId === clientId) this.lifecycle(sub.id, 'reauthorizationRequired');
    }
  }

  /** Change notifications are held while the grant is revoked or the subscription's token has expired. */
  isPaused(sub: SubscriptionRecord, now = Date.now()): boolean {
    return sub.needsReauthorization || now >= sub.accessTokenExpiresAt;
  }

  private sendLifecycle(sub: SubscriptionRecord, event: LifecycleEvent): boolean {
    if (!sub.lifecycleNotificationUrl) return false;
    this.notifier.enqueue(sub.lifecycleNotificationUrl, {
      lifecycle: true,
      subscriptionId: sub.id,
      mailboxId: sub.mailboxId,
      body: lifecycleItem(this.config.dialect, sub, this.state.tenantId, event),
    });
    return true;
  }

  private changed(): void {
    this.state.dirty = true;
    this.nextSweepAt = 0;
  }

  /** Records from snapshots written before these fields existed. */
  private upgrade(sub: SubscriptionRecord): void {
    // Such subscriptions were created without Prefer: IdType="ImmutableId" (nothing recorded it), and
    // Graph keeps the default format for those.
    sub.idType ??= 'default';
    sub.accessTokenExpiresAt ??= Date.now() + this.config.accessTokenLifetimeSeconds * 1000;
    sub.reauthorizationSentAt ??= null;
  }

  private reauthDueAt(sub: SubscriptionRecord): number {
    if (sub.reauthorizationSentAt !== null)
      return sub.reauthorizationSentAt + this.config.reauthRepeatSeconds * 1000;
    return sub.accessTokenExpiresAt - this.config.reauthLeadSeconds * 1000;
  }

  private sweep(): void {
    const now = Date.now();
    if (now < this.nextSweepAt) return;
    let next = Infinity;
    for (const sub of [...this.state.subscriptions.values()]) {
      const expiresAt = Date.parse(sub.expirationDateTime);
      if (expiresAt <= now) {
        this.expire(sub);
        continue;
      }
      if (this.reauthDueAt(sub) <= now) {
        sub.reauthorizationSentAt = now;
        this.state.dirty = true;
        this.sendLifecycle(sub, 'reauthorizationRequired');
      }
      next = Math.min(next, expiresAt, this.reauthDueAt(sub));
    }
    this.nextSweepAt = next;
  }

  /** Graph deletes an expired subscription; only the documented dialect still tells the app. */
  private expire(sub: SubscriptionRecord): void {
    if (this.config.dialect === 'documented') this.lifecycle(sub.id, 'subscriptionRemoved');
    else this.remove(sub.id);
  }

  private onChange(mailbox: Mailbox, change: MailboxChange): void {
    const mailboxId = mailbox.identity.id;
    const now = Date.now();
    for (const sub of this.state.subscriptionsOf(mailboxId)) {
      const notes = notificationsFor(this.config.dialect, sub, mailboxId, change);
      if (notes.length === 0) continue;
      const counters = this.state.countersFor(mailboxId);
      if (this.isPaused(sub, now)) {
        // Graph holds delivery until the app reauthorizes; these changes never reach the webhook.
        counters.notificationsDropped += notes.length;
        continue;
      }
      if (this.config.dialect === 'exchange-online' && isBulkKind(change)) {
        const verdict = this.bursts.record(sub.id, now);
        if (verdict !== 'send') {
          const withdrawn = verdict === 'overflow' ? this.notifier.withdraw(sub.notificationUrl, sub.id) : 0;
          counters.notificationsDropped += notes.length + withdrawn;
          if (verdict === 'overflow') this.sendLifecycle(sub, 'missed');
          continue;
        }
      }
      for (const note of notes) {
        this.notifier.enqueue(sub.notificationUrl, {
          lifecycle: false,
          subscriptionId: sub.id,
          mailboxId,
          body: changeItem(this.config.dialect, sub, this.state.tenantId, note),
        });
      }
    }
  }
}

/** What a bulk operation makes: moves and deletions (see BurstGuard). */
function isBulkKind(change: MailboxChange): boolean {
  return change.kind === 'moved' || change.kind === 'deleted';
}
