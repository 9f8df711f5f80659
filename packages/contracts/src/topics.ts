// The Kafka topic names both services agree on. Renaming a topic is a data migration (messages in flight
// stay on the old name), so a rename needs a plan, never a quick edit.
export const TOPICS = {
  syncEmail: 'sync_email',
  emailAck: 'email_ack',
  notifyUserMutateEmail: 'notify_user_mutate_email',
  createEmailSubscription: 'create_email_subscription',
  updateEmailSubscription: 'update_email_subscription',
  createEmailSubscriptionCron: 'create_email_subscription_cron',
  auditMailbox: 'audit_mailbox',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

export const DLQ_SUFFIX = '.dlq';

export function dlqTopicOf(topic: TopicName): string {
  return `${topic}${DLQ_SUFFIX}`;
}

/** Every topic and its dead-letter topic: what the services create at start-up. */
export function allTopicsWithDlq(): string[] {
  return ALL_TOPICS.flatMap((t) => [t, dlqTopicOf(t)]);
}
