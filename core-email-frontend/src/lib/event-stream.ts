// Reads a Server-Sent Events stream from the API (`open`: features/mail/api/get-events.ts) and keeps it open:
// when it drops, it is opened again after a growing pause (1 s up to 30 s), so a restarted producer or a
// flaky network heals by itself. Comment lines (the server's heartbeat) are skipped; each event's data is JSON.
import { ApiError } from './api-client';

export type EventHandler = (event: string, data: unknown) => void;

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** Listens until `signal` aborts. `onOpen` runs on each (re)connect: events may have been missed meanwhile. */
export async function listenToEvents(
  open: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>,
  onEvent: EventHandler,
  onOpen: () => void,
  signal: AbortSignal,
): Promise<void> {
  let retryMs = FIRST_RETRY_MS;
  while (!signal.aborted) {
    try {
      const body = await open(signal);
      retryMs = FIRST_RETRY_MS;
      onOpen();
      await readEvents(body, onEvent);
    } catch (error) {
      // A 401 ended the session (the app leaves the dashboard); nothing left to listen for.
      if (signal.aborted || (error instanceof ApiError && error.status === 401)) return;
    }
    await pause(retryMs, signal);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }
}

async function readEvents(body: ReadableStream<Uint8Array>, onEvent: EventHandler): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(buffer.slice(0, end), onEvent);
      buffer = buffer.slice(end + 2);
    }
  }
}

/** One block: `event:` and `data:` lines; lines starting with ':' are comments. */
function dispatch(block: string, onEvent: EventHandler): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  if (data.length === 0) return;
  try {
    onEvent(event, JSON.parse(data.join('\n')));
  } catch {
    // Not JSON: not an event this app understands.
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
