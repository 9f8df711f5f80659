// Short names for the API's shapes the components use. Nothing is spelled out here: the HTTP shapes are the
// generated schema.d.ts (from the producer's OpenAPI document), the live events are packages/contracts'
// Kafka schemas as the producer forwards them (GET /api/events drops the user id the browser knows).
import type { EmailAckMessage, NotifyUserMutateEmailMessage } from '@core-email/contracts';
import type { components } from './schema';

type Schemas = components['schemas'];

export type User = Schemas['UserView'];
export type Session = Schemas['SessionView'];
export type OutlookConnection = Schemas['OutlookConnectionDto'];
export type Address = Schemas['AddressView'];
export type MessageSummary = Schemas['MessageSummaryView'];
export type Folder = Schemas['FolderView'];
export type SyncRun = Schemas['SyncRunView'];
export type FolderAudit = Schemas['AuditFolderView'];
export type MailboxAudit = Schemas['AuditStatusView'];

/** SSE `sync`: one run's progress. */
export type SyncEvent = Omit<EmailAckMessage, 'userId'>;
/** SSE `mail`: these messages changed. */
export type MailEvent = Omit<NotifyUserMutateEmailMessage, 'userId'>;
