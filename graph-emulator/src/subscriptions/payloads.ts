// The JSON items Graph POSTs to webhooks. Live Exchange Online differs from the documentation: its lifecycle
// items carry `organizationId` (no `tenantId`), null `sequence`/`encryptedContent`/`resourceChangeType` and the
// subscription itself as resource (microsoft-graph-docs #21675, msgraph-sdk-java #1551, msgraph-sdk-dotnet
// #3103); change items may carry the changeNotification resource's optional `id`, `encryptedContent` and
// `lifecycleEvent` (the docs' webhook sample has an `id`). The `documented` dialect keeps the docs' shapes.
import type { EmulatorConfig } from '../config/config';
import { opaqueToken } from '../store/ids';
import type { SubscriptionRecord } from '../store/types';

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';
export type ChangeKind = 'created' | 'updated' | 'deleted';
type Dialect = EmulatorConfig['dialect'];

export function lifecycleItem(
  dialect: Dialect,
  sub: SubscriptionRecord,
  tenantId: string,
  event: LifecycleEvent,
): Record<string, unknown> {
  const common = {
    subscriptionId: sub.id,
    subscriptionExpirationDateTime: sub.expirationDateTime,
  };
  if (dialect === 'documented') {
    return { ...common, tenantId, clientState: sub.clientState, lifecycleEvent: event };
  }
  return {
    ...common,
    organizationId: tenantId,
    clientState: sub.clientState,
    lifecycleEvent: event,
    sequence: null,
    encryptedContent: null,
    resource: `Subscriptions/${sub.id}`,
    resourceChangeType: null,
    resourceData: {
      '@odata.type': '#microsoft.graph.subscription',
      '@odata.id': `subscriptions/${sub.id}`,
      id: sub.id,
    },
  };
}

export interface ChangeInput {
  kind: ChangeKind;
  mailboxId: string;
  messageId: string;
  changeKey: string;
}

export function changeItem(
  dialect: Dialect,
  sub: SubscriptionRecord,
  tenantId: string,
  change: ChangeInput,
): Record<string, unknown> {
  const resource = `Users/${change.mailboxId}/Messages/${change.messageId}`;
  const item: Record<string, unknown> = {
    subscriptionId: sub.id,
    subscriptionExpirationDateTime: sub.expirationDateTime,
    changeType: change.kind,
    resource,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Message',
      '@odata.id': resource,
      '@odata.etag': `W/"${change.changeKey}"`,
      id: change.messageId,
    },
    clientState: sub.clientState,
    tenantId,
  };
  if (dialect === 'documented') return item;
  return { id: opaqueToken(9), ...item, encryptedContent: null, lifecycleEvent: null };
}
