import { GraphError } from '@microsoft/microsoft-graph-client';
import { MailboxNotConnectedError, MailboxReauthRequiredError } from './mailbox-tokens';

/** Why a mailbox cannot be read at all: no retry helps until the user connects (again). */
export type MailboxUnusableReason = 'reauth_required' | 'not_connected';

const REASONS = new Map<string, MailboxUnusableReason>([
  [MailboxReauthRequiredError.name, 'reauth_required'],
  [MailboxNotConnectedError.name, 'not_connected'],
]);

/**
 * The reason a failure means "the mailbox is unusable", or undefined for any other failure. The Graph client
 * wraps the errors its token provider throws in a GraphError whose code is the error's name.
 */
export function mailboxUnusableReason(error: unknown): MailboxUnusableReason | undefined {
  const name = error instanceof GraphError ? error.code : error instanceof Error ? error.name : undefined;
  return name ? REASONS.get(name) : undefined;
}

export function isMailboxUnusable(error: unknown): boolean {
  return mailboxUnusableReason(error) !== undefined;
}
