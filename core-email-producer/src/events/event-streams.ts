import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** One open browser stream. */
export interface EventSink {
  send(event: string, data: unknown): void;
  close(): void;
}

/** How many streams one user may hold open on one replica (tabs, windows); more answer 429. */
export const MAX_STREAMS_PER_USER = 5;

/**
 * The browsers connected to this replica, by user. An event is handed only to its own user's streams: the
 * original broadcast every user's events to every client, and this map is what rules that out.
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly byUser = new Map<string, Set<EventSink>>();

  /** Registers a stream; false when the user already holds the maximum. */
  add(userId: string, sink: EventSink): boolean {
    const sinks = this.byUser.get(userId) ?? new Set<EventSink>();
    if (sinks.size >= MAX_STREAMS_PER_USER) return false;
    sinks.add(sink);
    this.byUser.set(userId, sinks);
    return true;
  }

  remove(userId: string, sink: EventSink): void {
    const sinks = this.byUser.get(userId);
    if (!sinks) return;
    sinks.delete(sink);
    // An empty set is dropped so the map does not grow with every user who ever connected.
    if (sinks.size === 0) this.byUser.delete(userId);
  }

  /** Sends to every stream of `userId` on this replica; returns how many got it. */
  send(userId: string, event: string, data: unknown): number {
    const sinks = this.byUser.get(userId);
    if (!sinks) return 0;
    for (const sink of sinks) sink.send(event, data);
    return sinks.size;
  }

  countOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /** Ends every stream before the HTTP server closes: an open stream would otherwise hold the close forever. */
  beforeApplicationShutdown(): void {
    for (const sinks of this.byUser.values()) for (const sink of sinks) sink.close();
    this.byUser.clear();
  }
}
