// Plain data records. Everything here is JSON-serialisable, because it is what the snapshot stores.
import type { MeetingInfo } from './meetings';

export interface EmailAddress {
  name: string;
  address: string;
}

export type Importance = 'low' | 'normal' | 'high';
export type FlagStatus = 'notFlagged' | 'complete' | 'flagged';

export interface MessageRecord {
  id: string;
  folderId: string;
  /** The mailbox change sequence number of this message's latest change (drives delta). */
  seq: number;
  changeKey: string;
  /**
   * How many times the message moved to another folder: part of its default (mutable) REST id, which Graph
   * changes on every move. Absent means 0, which keeps seeded records and old snapshots small.
   */
  moveGeneration?: number;
  createdDateTime: string;
  lastModifiedDateTime: string;
  receivedDateTime: string;
  sentDateTime: string;
  /** receivedDateTime as epoch ms: the sort key of every folder index. */
  receivedMs: number;
  subject: string;
  bodyHtml: string;
  bodyPreview: string;
  importance: Importance;
  isRead: boolean;
  isDraft: boolean;
  hasAttachments: boolean;
  from: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  categories: string[];
  flagStatus: FlagStatus;
  internetMessageId: string;
  conversationId: string;
  inferenceClassification: 'focused' | 'other';
  /** Set for meeting requests, cancellations and responses (Graph's eventMessage types). */
  meeting?: MeetingInfo;
}

export interface FolderRecord {
  id: string;
  displayName: string;
  /** The msgfolderroot id for top-level folders. */
  parentFolderId: string;
  wellKnownName?: string;
  isHidden: boolean;
}

export interface AppRecord {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  displayName: string;
}

export interface MailboxIdentity {
  id: string;
  address: string;
  password: string;
  displayName: string;
}

/** A person's consent to an app: refresh tokens and subscriptions hang off it. */
export interface GrantRecord {
  id: string;
  clientId: string;
  mailboxId: string;
  scopes: string[];
  revoked: boolean;
  createdAt: number;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  scopes: string[];
  expiresAt: number;
  /** Set once it has been exchanged (only enforced in strict rotation mode). */
  used: boolean;
}

export interface SubscriptionRecord {
  id: string;
  mailboxId: string;
  applicationId: string;
  resource: string;
  /** Folder id the resource is scoped to, or undefined for the whole mailbox. */
  folderId?: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  latestSupportedTlsVersion: string;
  creatorId: string;
  /** Set by a revoked grant: notifications are held until the app reauthorizes. */
  needsReauthorization: boolean;
  /**
   * The id format of `resource`/`resourceData.id`: `immutable` when POST /subscriptions carried
   * `Prefer: IdType="ImmutableId"`, otherwise Graph's default (mutable, changes on move).
   */
  idType: 'immutable' | 'default';
  /** Expiry (epoch ms) of the access token that created, renewed or reauthorized the subscription. */
  accessTokenExpiresAt: number;
  /** When the last reauthorizationRequired went out (epoch ms), or null since the last reauthorization. */
  reauthorizationSentAt: number | null;
}
