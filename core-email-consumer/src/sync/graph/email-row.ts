import type { GraphMessage } from './graph-schemas';
import { storableText, storableTextOrNull as text } from './storable-text';

/**
 * A message as the emails table stores it: the names are the table's columns (emailsTable, whose
 * EMAIL_COLUMNS give the order a RowBatch sends them in).
 */
export interface EmailRow {
  graph_id: string;
  internet_message_id: string | null;
  conversation_id: string | null;
  folder_graph_id: string;
  sender_name: string | null;
  sender_address: string | null;
  from_name: string | null;
  from_address: string | null;
  to_recipients: Recipient[];
  cc_recipients: Recipient[];
  bcc_recipients: Recipient[];
  subject: string | null;
  body_preview: string | null;
  body_content: string | null;
  body_type: string | null;
  importance: string | null;
  has_attachments: boolean;
  is_read: boolean;
  is_draft: boolean;
  flag_status: string | null;
  received_at: string | null;
  sent_at: string | null;
  last_modified_at: string | null;
  change_key: string | null;
  categories: string[];
  web_link: string | null;
}

interface Recipient {
  name: string | null;
  address: string | null;
}

type GraphAddress = GraphMessage['from'];

function person(a: GraphAddress): Recipient {
  return { name: text(a?.emailAddress?.name), address: text(a?.emailAddress?.address) };
}

function people(list: GraphAddress[] | null | undefined): Recipient[] {
  return (list ?? []).filter((a) => a?.emailAddress).map(person);
}

/**
 * The folder is the one whose delta returned the message, not the message's own parentFolderId: a folder's
 * removals and reconciliation only ever touch rows filed under that folder.
 */
export function toEmailRow(m: GraphMessage, folderGraphId: string): EmailRow {
  const sender = person(m.sender);
  const from = person(m.from);
  return {
    graph_id: m.id,
    internet_message_id: text(m.internetMessageId),
    conversation_id: text(m.conversationId),
    folder_graph_id: folderGraphId,
    sender_name: sender.name,
    sender_address: sender.address,
    from_name: from.name,
    from_address: from.address,
    to_recipients: people(m.toRecipients),
    cc_recipients: people(m.ccRecipients),
    bcc_recipients: people(m.bccRecipients),
    subject: text(m.subject),
    body_preview: text(m.bodyPreview),
    body_content: text(m.body?.content),
    body_type: text(m.body?.contentType),
    importance: m.importance ?? null,
    has_attachments: m.hasAttachments ?? false,
    is_read: m.isRead ?? false,
    is_draft: m.isDraft ?? false,
    flag_status: m.flag?.flagStatus ?? null,
    received_at: m.receivedDateTime ?? null,
    sent_at: m.sentDateTime ?? null,
    last_modified_at: m.lastModifiedDateTime ?? null,
    change_key: text(m.changeKey),
    categories: (m.categories ?? []).map(storableText),
    web_link: text(m.webLink),
  };
}
