import type { Response } from 'express';
import type { EventSink } from './event-streams';

/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

export interface EventStream extends EventSink {
  /** Sends the headers: from here on the response is the stream. */
  start(): void;
}

/** One Server-Sent Events response: `event:` + one `data:` line of JSON per event, heartbeats between. */
export function openEventStream(res: Response): EventStream {
  let heartbeat: NodeJS.Timeout | undefined;
  return {
    start() {
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        // nginx and friends buffer responses unless told not to; an event must arrive when it happens.
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      res.write(': connected\n\n');
      heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    },
    send(event, data) {
      // JSON.stringify never emits a raw newline, so one data line carries the whole event.
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      clearInterval(heartbeat);
      res.end();
    },
  };
}
