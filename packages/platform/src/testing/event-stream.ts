export interface ReceivedEvent {
  event: string;
  data: Record<string, unknown>;
}

/** An open GET /api/events, its events collected as they arrive. */
export interface EventStream {
  status: number;
  contentType: string | null;
  events: ReceivedEvent[];
  /** The server ended the stream (its body finished without the caller closing it). */
  ended: boolean;
  close(): void;
}

/** GET /api/events read as the dashboard reads it: fetch with the Authorization header. */
export async function openEventStream(baseUrl: string, token: string): Promise<EventStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const stream: EventStream = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events: [],
    ended: false,
    close: () => abort.abort(),
  };
  if (res.ok && res.body) void readEvents(res.body, stream);
  return stream;
}

async function readEvents(body: ReadableStream<Uint8Array>, stream: EventStream): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) stream.events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
    stream.ended = true;
  } catch {
    // closed by the caller
  }
}
