// Which notifications one mailbox change produces for one subscription, and with which message ids.
// Documented: one per change; a mailbox-level subscription sees a move as `updated`. Observed on Exchange
// Online: new mail arrives as `created` and then `updated` (microsoft-graph-docs #7598, #17091); a move seen
// by a mailbox-level subscription is `created` of the new id (#11710), plus `deleted` of the old id when the
// subscription uses default ids, which change on move. A folder subscription sees arrivals as `created` and
// moves out as `deleted`.
import type { EmulatorConfig } from '../config/config';
import type { MailboxChange } from '../store/mailbox';
import { messageIdFor } from '../store/message-ids';
import type { SubscriptionRecord } from '../store/types';
import type { ChangeInput, ChangeKind } from './payloads';

type Dialect = EmulatorConfig['dialect'];
type Note = { kind: ChangeKind; messageId: string };

function idBeforeMove(sub: SubscriptionRecord, change: MailboxChange): string {
  if (change.kind === 'moved' && sub.idType === 'default') return change.previousDefaultId;
  return change.message.id;
}

function mailboxLevel(dialect: Dialect, sub: SubscriptionRecord, change: MailboxChange): Note[] {
  const id = messageIdFor(change.message, sub.idType);
  if (dialect === 'documented')
    return [{ kind: change.kind === 'moved' ? 'updated' : change.kind, messageId: id }];
  if (change.kind === 'created')
    return [
      { kind: 'created', messageId: id },
      { kind: 'updated', messageId: id },
    ];
  if (change.kind !== 'moved') return [{ kind: change.kind, messageId: id }];
  const notes: Note[] = [{ kind: 'created', messageId: id }];
  if (sub.idType === 'default') notes.push({ kind: 'deleted', messageId: idBeforeMove(sub, change) });
  return notes;
}

function folderLevel(dialect: Dialect, sub: SubscriptionRecord, change: MailboxChange): Note[] {
  const id = messageIdFor(change.message, sub.idType);
  if (change.kind === 'moved') {
    if (sub.folderId === change.fromFolderId)
      return [{ kind: 'deleted', messageId: idBeforeMove(sub, change) }];
    return sub.folderId === change.folderId ? [{ kind: 'created', messageId: id }] : [];
  }
  if (sub.folderId !== change.folderId) return [];
  if (change.kind === 'created' && dialect === 'exchange-online')
    return [
      { kind: 'created', messageId: id },
      { kind: 'updated', messageId: id },
    ];
  return [{ kind: change.kind, messageId: id }];
}

export function notificationsFor(
  dialect: Dialect,
  sub: SubscriptionRecord,
  mailboxId: string,
  change: MailboxChange,
): ChangeInput[] {
  const notes = sub.folderId ? folderLevel(dialect, sub, change) : mailboxLevel(dialect, sub, change);
  const wanted = sub.changeType.split(',');
  return notes
    .filter((n) => wanted.includes(n.kind))
    .map((n) => ({ ...n, mailboxId, changeKey: change.message.changeKey }));
}
