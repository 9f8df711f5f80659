// The emulator's whole state: registered apps, mailboxes, grants, refresh tokens and subscriptions. Lives in
// memory; src/store/snapshot.ts writes it to disk and reads it back.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { emptyCounters, type MailboxCounters } from './counters';
import { guid } from './ids';
import { Mailbox, type MailboxChange } from './mailbox';
import type {
  AppRecord,
  GrantRecord,
  MailboxIdentity,
  RefreshTokenRecord,
  SubscriptionRecord,
} from './types';

export const DEFAULT_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

export const DEFAULT_APP: AppRecord = {
  clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
  clientSecret: 'emulator-client-secret',
  redirectUris: [
    'http://localhost:3000/api/user/outlook/redirect',
    'http://127.0.0.1:3000/api/user/outlook/redirect',
  ],
  displayName: 'Core Email System (local)',
};

export const DEMO_MAILBOX = {
  address: 'demo@contoso.test',
  password: 'demo-password',
  displayName: 'Demo User',
};

export interface SigningKey {
  kid: string;
  privatePem: string;
  publicPem: string;
}

export function newSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid: randomBytes(12).toString('base64url'),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export class EmulatorState {
  tenantId = DEFAULT_TENANT_ID;
  signingKey: SigningKey = newSigningKey();
  /** HMAC key for self-contained delta tokens. */
  deltaSecret = randomBytes(32).toString('base64url');
  readonly apps = new Map<string, AppRecord>();
  readonly mailboxes = new Map<string, Mailbox>();
  private readonly byAddress = new Map<string, Mailbox>();
  readonly grants = new Map<string, GrantRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly counters = new Map<string, MailboxCounters>();
  /** Set by anything that changes state; the snapshot loop writes only when dirty. */
  dirty = false;
  /** Wired to the subscription service: every message change in any mailbox goes through here. */
  onMailboxChange?: (mailbox: Mailbox, change: MailboxChange) => void;

  registerApp(app: AppRecord): AppRecord {
    this.apps.set(app.clientId, app);
    this.dirty = true;
    return app;
  }

  createMailbox(identity: Omit<MailboxIdentity, 'id'> & { id?: string }): Mailbox {
    const mailbox = new Mailbox({ ...identity, id: identity.id ?? guid() });
    mailbox.ensureDefaultFolders();
    this.addMailbox(mailbox);
    return mailbox;
  }

  addMailbox(mailbox: Mailbox): void {
    this.mailboxes.set(mailbox.identity.id, mailbox);
    this.byAddress.set(mailbox.identity.address.toLowerCase(), mailbox);
    mailbox.onChange = (mb, change) => {
      this.dirty = true;
      this.onMailboxChange?.(mb, change);
    };
    this.dirty = true;
  }

  mailboxByAddress(address: string): Mailbox | undefined {
    return this.byAddress.get(address.toLowerCase());
  }

  /** Looks a mailbox up by object id or by address (Graph's /users/{id|upn}). */
  findMailbox(idOrAddress: string): Mailbox | undefined {
    return this.mailboxes.get(idOrAddress) ?? this.mailboxByAddress(idOrAddress);
  }

  countersFor(mailboxId: string): MailboxCounters {
    let c = this.counters.get(mailboxId);
    if (!c) {
      c = emptyCounters();
      this.counters.set(mailboxId, c);
    }
    return c;
  }

  findGrant(clientId: string, mailboxId: string): GrantRecord | undefined {
    for (const grant of this.grants.values()) {
      if (grant.clientId === clientId && grant.mailboxId === mailboxId && !grant.revoked) return grant;
    }
    return undefined;
  }

  subscriptionsOf(mailboxId: string): SubscriptionRecord[] {
    return [...this.subscriptions.values()].filter((s) => s.mailboxId === mailboxId);
  }

  clear(): void {
    this.apps.clear();
    this.mailboxes.clear();
    this.byAddress.clear();
    this.grants.clear();
    this.refreshTokens.clear();
    this.subscriptions.clear();
    this.counters.clear();
    this.dirty = true;
  }
}
