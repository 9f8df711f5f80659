// GET /api/events: the user's live events (Server-Sent Events, read with fetch so the Bearer token stays in
// a header). `sync` is a sync run's progress, `mail` says which messages changed.
import { useEffect, useRef } from 'react';
import type { MailEvent, SyncEvent } from '../../../api/models';
import { api, dataOf } from '../../../lib/api-client';
import { listenToEvents } from '../../../lib/event-stream';

export interface MailEventHandlers {
  onSync: (event: SyncEvent) => void;
  onMail: (event: MailEvent) => void;
  /** The stream (re)opened: anything sent while it was down was missed, so reload what is shown. */
  onConnected: () => void;
}

/** Opens the stream; its body is read as it arrives. A 401 ends the session like any request. */
export async function openEvents(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const body = await dataOf(
    api().GET('/api/events', {
      signal,
      parseAs: 'stream',
      headers: { accept: 'text/event-stream' },
      cache: 'no-store',
    }),
  );
  if (!body) throw new Error('GET /api/events answered without a body');
  return body;
}

export function useMailEvents(handlers: MailEventHandlers): void {
  // The latest handlers, read when an event arrives: the stream is opened once, not on every render.
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });

  useEffect(() => {
    const controller = new AbortController();
    void listenToEvents(
      openEvents,
      (event, data) => {
        if (event === 'sync') latest.current.onSync(data as SyncEvent);
        else if (event === 'mail') latest.current.onMail(data as MailEvent);
      },
      () => latest.current.onConnected(),
      controller.signal,
    );
    return () => controller.abort();
  }, []);
}
