// The URLs Microsoft Graph is given for a subscription's notifications: the consumer hands them to Graph
// when it subscribes, the producer serves them. Renaming one strands every live subscription on the old URL
// until it is re-created, so a rename serves both paths for a subscription's lifetime (days) first.

/** The producer's global route prefix: part of every public path. */
export const API_PREFIX = 'api';

/** The producer's webhook controller, under API_PREFIX. */
export const GRAPH_WEBHOOK_CONTROLLER = 'webhooks/graph';

/** Every path under this one is Graph's webhook. */
export const GRAPH_WEBHOOK_PATH = `/${API_PREFIX}/${GRAPH_WEBHOOK_CONTROLLER}`;

/** Change notifications, and lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed). */
export type GraphWebhookKind = 'notifications' | 'lifecycle';

/** The webhook URL of a deployment whose producer is public at `baseUrl` (no trailing slash). */
export function graphWebhookUrl(baseUrl: string, kind: GraphWebhookKind): string {
  return `${baseUrl}${GRAPH_WEBHOOK_PATH}/${kind}`;
}
