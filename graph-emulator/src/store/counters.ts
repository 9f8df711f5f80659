// Per-mailbox counters exposed by the control API: what a test or benchmark wants to assert on.
export interface MailboxCounters {
  requests: number;
  highestConcurrency: number;
  throttled: number;
  notificationsDelivered: number;
  notificationsFailed: number;
  notificationsDropped: number;
  lifecycleEventsSent: number;
}

export function emptyCounters(): MailboxCounters {
  return {
    requests: 0,
    highestConcurrency: 0,
    throttled: 0,
    notificationsDelivered: 0,
    notificationsFailed: 0,
    notificationsDropped: 0,
    lifecycleEventsSent: 0,
  };
}
