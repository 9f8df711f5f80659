// Building new messages and delivering them between emulator mailboxes (sendMail, the control API's
// "deliver new mail"). Addresses outside the emulator are accepted and go nowhere, like mail to the internet.
import { randomUUID } from 'node:crypto';
import { messageId, stableId } from './ids';
import type { Folder, Mailbox } from './mailbox';
import type { MeetingInfo } from './meetings';
import type { EmulatorState } from './state';
import { previewOf } from './text';
import type { EmailAddress, Importance, MessageRecord } from './types';

export interface NewMessage {
  subject: string;
  bodyHtml: string;
  from: EmailAddress;
  to: EmailAddress[];
  cc?: EmailAddress[];
  bcc?: EmailAddress[];
  importance?: Importance;
  isRead?: boolean;
  isDraft?: boolean;
  hasAttachments?: boolean;
  categories?: string[];
  receivedMs?: number;
  conversationId?: string;
  internetMessageId?: string;
  meeting?: MeetingInfo;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export function buildMessage(folder: Folder, input: NewMessage): MessageRecord {
  const now = input.receivedMs ?? Date.now();
  return {
    id: messageId(),
    folderId: folder.record.id,
    seq: 0,
    changeKey: '',
    createdDateTime: iso(now),
    lastModifiedDateTime: iso(now),
    receivedDateTime: iso(now),
    sentDateTime: iso(now),
    receivedMs: now,
    subject: input.subject,
    bodyHtml: input.bodyHtml,
    bodyPreview: previewOf(input.bodyHtml),
    importance: input.importance ?? 'normal',
    isRead: input.isRead ?? false,
    isDraft: input.isDraft ?? false,
    hasAttachments: input.hasAttachments ?? false,
    from: input.from,
    to: input.to,
    cc: input.cc ?? [],
    bcc: input.bcc ?? [],
    categories: input.categories ?? [],
    flagStatus: 'notFlagged',
    internetMessageId: input.internetMessageId ?? `<${randomUUID()}@contoso.test>`,
    conversationId:
      input.conversationId ?? stableId('AAQkAGI2', `conv/${input.subject}/${input.from.address}`, 18),
    inferenceClassification: 'focused',
    ...(input.meeting ? { meeting: { ...input.meeting } } : {}),
  };
}

/** Sends a message: a copy in the sender's Sent Items and one in each emulator recipient's Inbox. */
export function sendMessage(
  state: EmulatorState,
  sender: Mailbox,
  input: NewMessage,
  saveToSentItems: boolean,
): void {
  const internetMessageId = input.internetMessageId ?? `<${randomUUID()}@contoso.test>`;
  const now = Date.now();
  if (saveToSentItems) {
    const sent = sender.wellKnownFolder('sentitems');
    sender.addMessage(
      buildMessage(sent, { ...input, internetMessageId, isRead: true, isDraft: false, receivedMs: now }),
    );
  }
  const recipients = [...input.to, ...(input.cc ?? []), ...(input.bcc ?? [])];
  const seen = new Set<string>();
  for (const r of recipients) {
    const target = state.mailboxByAddress(r.address);
    if (!target || seen.has(target.identity.id)) continue;
    seen.add(target.identity.id);
    const inbox = target.wellKnownFolder('inbox');
    // Bcc is not visible to recipients.
    target.addMessage(
      buildMessage(inbox, {
        ...input,
        bcc: [],
        internetMessageId,
        isRead: false,
        isDraft: false,
        receivedMs: now,
      }),
    );
  }
  state.dirty = true;
}
