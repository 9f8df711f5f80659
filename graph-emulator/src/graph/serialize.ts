// Records → Graph JSON. Property names, enums and shapes follow microsoft-graph-types v1.0.
import { meetingProperties, odataTypeOf } from '../store/meetings';
import { messageIdFor, type IdType } from '../store/message-ids';
import { stripHtml } from '../store/text';
import type { Folder, Mailbox } from '../store/mailbox';
import type { EmailAddress, MessageRecord } from '../store/types';

export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const recipient = (a: EmailAddress) => ({ emailAddress: { name: a.name, address: a.address } });

export function etagOf(msg: MessageRecord): string {
  return `W/"${msg.changeKey}"`;
}

interface Render {
  textBody: boolean;
  idType: IdType;
}

type Getter = (m: MessageRecord, r: Render) => unknown;

const GETTERS: Record<string, Getter> = {
  id: (m, r) => messageIdFor(m, r.idType),
  createdDateTime: (m) => m.createdDateTime,
  lastModifiedDateTime: (m) => m.lastModifiedDateTime,
  changeKey: (m) => m.changeKey,
  categories: (m) => m.categories,
  receivedDateTime: (m) => m.receivedDateTime,
  sentDateTime: (m) => m.sentDateTime,
  hasAttachments: (m) => m.hasAttachments,
  internetMessageId: (m) => m.internetMessageId,
  subject: (m) => m.subject,
  bodyPreview: (m) => m.bodyPreview,
  importance: (m) => m.importance,
  parentFolderId: (m) => m.folderId,
  conversationId: (m) => m.conversationId,
  conversationIndex: (m) => Buffer.from(m.conversationId.slice(0, 22)).toString('base64'),
  isDeliveryReceiptRequested: () => false,
  isReadReceiptRequested: () => false,
  isRead: (m) => m.isRead,
  isDraft: (m) => m.isDraft,
  webLink: (m, r) =>
    `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(messageIdFor(m, r.idType))}&exvsurl=1&viewmodel=ReadMessageItem`,
  inferenceClassification: (m) => m.inferenceClassification,
  body: (m, r) =>
    r.textBody
      ? { contentType: 'text', content: stripHtml(m.bodyHtml) }
      : { contentType: 'html', content: m.bodyHtml },
  sender: (m) => recipient(m.from),
  from: (m) => recipient(m.from),
  toRecipients: (m) => m.to.map(recipient),
  ccRecipients: (m) => m.cc.map(recipient),
  bccRecipients: (m) => m.bcc.map(recipient),
  replyTo: () => [],
  flag: (m) => ({ flagStatus: m.flagStatus }),
  uniqueBody: (m, r) => GETTERS.body(m, r),
  internetMessageHeaders: (m) => [
    { name: 'Message-ID', value: m.internetMessageId },
    { name: 'Subject', value: m.subject },
  ],
};

/** Properties returned without $select (uniqueBody and internetMessageHeaders need $select). */
const DEFAULT_PROPERTIES = Object.keys(GETTERS).filter(
  (p) => p !== 'uniqueBody' && p !== 'internetMessageHeaders',
);

export interface MessageJsonOptions {
  /** The request's id format (Prefer: IdType="ImmutableId" or not). */
  idType: IdType;
  select?: string[];
  textBody?: boolean;
  /** Delta and notifications add @odata.type to every item; lists only to derived types (meetings). */
  withType?: boolean;
}

export function messageJson(m: MessageRecord, opts: MessageJsonOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (opts.withType || m.meeting) out['@odata.type'] = odataTypeOf(m);
  out['@odata.etag'] = etagOf(m);
  const props = opts.select ?? DEFAULT_PROPERTIES;
  const render: Render = { textBody: opts.textBody ?? false, idType: opts.idType };
  for (const p of props) out[p] = GETTERS[p](m, render);
  if (out.id === undefined) out.id = GETTERS.id(m, render);
  if (m.meeting && !opts.select) Object.assign(out, meetingProperties(m.meeting));
  return out;
}

export function folderJson(mailbox: Mailbox, folder: Folder, select?: string[]): Record<string, unknown> {
  const r = folder.record;
  const all: Record<string, unknown> = {
    id: r.id,
    displayName: r.displayName,
    parentFolderId: r.parentFolderId,
    childFolderCount: mailbox.childFolders(r.id).length,
    unreadItemCount: folder.unread,
    totalItemCount: folder.index.size,
    isHidden: r.isHidden,
  };
  if (!select) return all;
  const out: Record<string, unknown> = { id: r.id };
  for (const p of select) out[p] = p === 'sizeInBytes' ? folder.index.size * 2048 : all[p];
  return out;
}

export function userJson(mailbox: Mailbox): Record<string, unknown> {
  const [given, ...rest] = mailbox.identity.displayName.split(' ');
  return {
    businessPhones: [],
    displayName: mailbox.identity.displayName,
    givenName: given ?? null,
    surname: rest.join(' ') || null,
    jobTitle: null,
    mail: mailbox.identity.address,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    userPrincipalName: mailbox.identity.address,
    id: mailbox.identity.id,
  };
}
