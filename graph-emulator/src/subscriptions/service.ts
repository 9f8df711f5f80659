// Subscription rules and fan-out: creation (validation handshake, expiry limits, clientState, per-mailbox
// cap), renewal, deletion, change notifications in Graph's Outlook shape, and lifecycle events.
import type { EmulatorConfig } from '../config/config';
import { GraphError } from '../http/errors';
import { guid } from '../store/ids';
import type { Mailbox, MailboxChange } from '../store/mailbox';
import type { EmulatorState } from '../store/state';
import type { SubscriptionRecord } from '../store/types';
import { Notifier } from './notifier';
import { validateEndpoint } from './validation';

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';
type ChangeKind = 'created' | 'updated' | 'deleted';

const MIN_MINUTES = 45;
const SWEEP_MS = 1000;

function iso7(ms: number): string {
  // Graph writes seven fractional digits.
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export class SubscriptionService {
  readonly notifier: Notifier;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: EmulatorState,
  ) {
    this.notifier = new Notifier(config, state, (ids) => ids.forEach((id) => this.lifecycle(id, 'missed')));
    state.onMailboxChange = (mailbox, change) => this.onChange(mailbox, change);
  }

  start(): void {
    this.sweeper = setInterval(() => this.sweepExpired(), SWEEP_MS);
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

  add(sub: Omit<SubscriptionRecord, 'id' | 'needsReauthorization'>): SubscriptionRecord {
    const record: SubscriptionRecord = { ...sub, id: guid(), needsReauthorization: false };
    this.state.subscriptions.set(record.id, record);
    this.state.dirty = true;
    return record;
  }

  remove(id: string): void {
    this.state.subscriptions.delete(id);
    this.state.dirty = true;
  }

  /** Sends a lifecycle event to the subscription's lifecycleNotificationUrl (if it has one). */
  lifecycle(id: string, event: LifecycleEvent): boolean {
    const sub = this.state.subscriptions.get(id);
    if (!sub) return false;
    if (event === 'subscriptionRemoved') this.remove(id);
    if (event === 'reauthorizationRequired') sub.needsReauthorization = true;
    if (!sub.lifecycleNotificationUrl) return false;
    this.notifier.enqueue(sub.lifecycleNotificationUrl, {
      lifecycle: true,
      subscriptionId: sub.id,
      mailboxId: sub.mailboxId,
      body: {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: sub.expirationDateTime,
        tenantId: this.state.tenantId,
        clientState: sub.clientState,
        lifecycleEvent: event,
      },
    });
    return true;
  }

  /** A revoked grant: the app's subscriptions on that mailbox need reauthorization. */
  grantRevoked(clientId: string, mailboxId: string): void {
    for (const sub of this.state.subscriptionsOf(mailboxId)) {
      if (sub.applicationId === clientId) this.lifecycle(sub.id, 'reauthorizationRequired');
    }
  }

  private sweepExpired(): void {
    const now = Date.now();
    for (const sub of [...this.state.subscriptions.values()]) {
      if (Date.parse(sub.expirationDateTime) <= now) this.lifecycle(sub.id, 'subscriptionRemoved');
    }
  }

  private kindFor(sub: SubscriptionRecord, change: MailboxChange): ChangeKind | undefined {
    if (!sub.folderId) return change.kind === 'moved' ? 'updated' : change.kind;
    if (change.kind === 'moved') {
      if (sub.folderId === change.fromFolderId) return 'deleted';
      return sub.folderId === change.folderId ? 'created' : undefined;
    }
    return sub.folderId === change.folderId ? change.kind : undefined;
  }

  private onChange(mailbox: Mailbox, change: MailboxChange): void {
    for (const sub of this.state.subscriptionsOf(mailbox.identity.id)) {
      const kind = this.kindFor(sub, change);
      if (!kind || !sub.changeType.split(',').includes(kind)) continue;
      if (sub.needsReauthorization) {
        // Graph pauses delivery until the app reauthorizes; the change is lost for the webhook.
        this.state.countersFor(mailbox.identity.id).notificationsDropped++;
        continue;
      }
      const resource = `Users/${mailbox.identity.id}/Messages/${change.message.id}`;
      this.notifier.enqueue(sub.notificationUrl, {
        lifecycle: false,
        subscriptionId: sub.id,
        mailboxId: mailbox.identity.id,
        body: {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: sub.expirationDateTime,
          changeType: kind,
          resource,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Message',
            '@odata.id': resource,
            '@odata.etag': `W/"${change.message.changeKey}"`,
            id: change.message.id,
          },
          clientState: sub.clientState,
          tenantId: this.state.tenantId,
        },
      });
    }
  }
}
