import type { BatchHandler, BatchHandlerMap, HandlerContext, MessageHandler } from '@core-email/platform';
import type { MessageOf, TopicName } from '@core-email/contracts';

/** A unit of Kafka-driven work. Handlers must be idempotent: delivery is at least once. */
export interface TopicHandler<T extends TopicName = TopicName> {
  readonly topic: T;
  handle(message: MessageOf<T>, ctx: HandlerContext): Promise<void>;
  /** Optional: takes up to `maxBatch` of one user's queued messages at once (instead of `handle`). */
  readonly maxBatch?: number;
  handleMany?(messages: MessageOf<T>[], ctx: HandlerContext): Promise<void>;
}

/** Feature modules add their handlers to this multi-provider list. */
export const TOPIC_HANDLERS = Symbol('TOPIC_HANDLERS');

export function toHandlerMap(handlers: TopicHandler[]): Record<string, MessageHandler<TopicName>> {
  const map: Record<string, MessageHandler<TopicName>> = {};
  for (const h of handlers) {
    if (map[h.topic]) throw new Error(`two handlers for topic ${h.topic}`);
    map[h.topic] = (message, ctx) => h.handle(message, ctx);
  }
  return map;
}

export function toBatchHandlerMap(handlers: TopicHandler[]): BatchHandlerMap {
  const map: Record<string, BatchHandler<TopicName>> = {};
  for (const h of handlers) {
    if (!h.handleMany || !h.maxBatch) continue;
    map[h.topic] = { maxBatch: h.maxBatch, handle: h.handleMany.bind(h) };
  }
  return map as BatchHandlerMap;
}
