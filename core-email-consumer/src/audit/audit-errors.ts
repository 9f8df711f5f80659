import { GraphError } from '@microsoft/microsoft-graph-client';
import { MailboxNotConnectedError, MailboxReauthRequiredError } from '@core-email/platform';

/** Failures no retry can fix: the audit is recorded failed with this reason at once. */
const FINAL_REASONS: Array<[string, string]> = [
  [MailboxReauthRequiredError.name, 'reauth_required'],
  [MailboxNotConnectedError.name, 'not_connected'],
];

/** The graph client wraps errors of the auth provider in a GraphError whose code is the error's name. */
export function finalReason(error: unknown): string | undefined {
  const name = error instanceof GraphError ? error.code : error instanceof Error ? error.name : undefined;
  return FINAL_REASONS.find(([n]) => n === name)?.[1];
}

export function isFinal(error: unknown): boolean {
  return finalReason(error) !== undefined;
}

/** What the audit record says about a failure: never a token, never Graph's whole answer. */
export function describeError(error: unknown): string {
  if (error instanceof GraphError) return `graph_error: ${error.statusCode} ${error.code ?? ''}`.trim();
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error';
}
