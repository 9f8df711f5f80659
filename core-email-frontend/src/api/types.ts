// The producer's request and response shapes the dashboard uses, written by hand for now.
// A later issue generates them from the producer's OpenAPI document (/api/docs); keep this file the only
// place they are spelled out so that swap touches one import path.

export interface User {
  id: string;
  email: string;
  userName: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface SignUpInput {
  email: string;
  userName: string;
  password: string;
}

export interface SignUpResponse {
  user: User;
}

export interface LogInInput {
  email: string;
  password: string;
}

export interface LogInResponse {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: User;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

export type OutlookStatus = 'not_connected' | 'connected' | 'reauth_required' | 'disconnected';

export interface OutlookConnection {
  status: OutlookStatus;
  /** The Microsoft mailbox address, once one was linked. */
  address?: string;
  /** ISO 8601. */
  connectedAt?: string;
}

export interface ConnectOutlookResponse {
  authorizeUrl: string;
}

/** Every error the producer answers with. `message` names the field: "password: must be at least 8 characters". */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

// Mail (the read API over the synced copy) and its live events (GET /api/events).

export interface Address {
  name: string | null;
  address: string | null;
}

/** A row of the email table. */
export interface MessageSummary {
  id: string;
  folderId: string;
  userName: string;
  sender: Address;
  from: Address;
  toRecipients: Address[];
  subject: string | null;
  bodyPreview: string | null;
  importance: 'low' | 'normal' | 'high' | null;
  hasAttachments: boolean;
  isRead: boolean;
  flagStatus: 'notFlagged' | 'flagged' | 'complete' | null;
  /** ISO 8601. */
  receivedAt: string | null;
}

export interface MessagePage {
  items: MessageSummary[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface Message extends MessageSummary {
  body: { content: string | null; contentType: 'text' | 'html' | null };
  ccRecipients: Address[];
  bccRecipients: Address[];
  sentAt: string | null;
}

export interface Folder {
  id: string;
  parentId: string | null;
  name: string;
  totalCount: number;
  unreadCount: number;
  storedCount: number;
}

export interface FolderList {
  items: Folder[];
}

export type SyncRunStatus = 'running' | 'finished' | 'failed' | 'stuck';

export interface SyncRun {
  id: string;
  status: SyncRunStatus;
  mode: 'incremental' | 'full';
  reason: string;
  startedAt: string;
  finishedAt: string | null;
  lastProgressAt: string;
  messagesSynced: number;
  error: string | null;
}

export interface SyncStatus {
  connection: OutlookStatus;
  /** push: Graph notifies us of changes; polling: periodic syncs while no subscription holds. */
  deliveryMode: 'push' | 'polling' | null;
  /** The latest run, or null before the first one. */
  run: SyncRun | null;
}

export interface ResyncStarted {
  runId: string;
}

/** SSE `sync`: one run's progress (the consumer's email_ack without the user id). */
export interface SyncEvent {
  runId: string;
  status: SyncRunStatus;
  done: number;
  total: number;
  folders: Array<{ folderId: string; name: string; done: number; total: number }>;
  error?: string;
  at: string;
}

/** SSE `mail`: these messages changed. */
export interface MailEvent {
  created: string[];
  updated: string[];
  deleted: string[];
  at: string;
}
