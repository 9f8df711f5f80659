import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { MailboxLimiter } from './mailbox-limiter';
import { retryAfterMs } from './retry-after';

const THROTTLED = new Set([429, 503]);

export interface ThrottleHandlerOptions {
  limiter: MailboxLimiter;
  maxThrottleRetries: number;
  /** A 401: make the next token a fresh one. The request is sent once more, then the 401 stands. */
  onUnauthorized: () => Promise<void>;
  onThrottled?: (status: number, waitMs: number) => void;
}

/**
 * First in the graph client's chain (instead of its RetryHandler, which would retry behind the limiter's
 * back): every attempt takes a slot of the mailbox's limiter; a 429/503 pauses the whole mailbox for its
 * Retry-After and tries again, so throttling slows a sync and does not fail it. The authentication handler
 * comes after this one, so a retry after a 401 carries the new token.
 */
export class MailboxThrottleHandler implements Middleware {
  private next?: Middleware;

  constructor(private readonly options: ThrottleHandlerOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const { limiter } = this.options;
    let refreshed = false;
    // The handlers after this one append to the headers (Authorization, SdkVersion); each attempt must start
    // from the caller's headers, or a retry sends "Bearer a, Bearer b".
    const headers = copyHeaders(context.options?.headers);
    for (let attempt = 1; ; attempt += 1) {
      if (context.options) context.options.headers = copyHeaders(headers);
      await limiter.acquire();
      try {
        await this.next!.execute(context);
        // Graph counts a request until its answer is sent, not until its headers are: the slot is held until
        // the whole body is here, or a large page still streaming makes the next request a fifth (429).
        if (context.response) context.response = await readWhole(context.response);
      } finally {
        limiter.release();
      }
      const response = context.response;
      if (!response) return;
      if (THROTTLED.has(response.status) && attempt <= this.options.maxThrottleRetries) {
        const wait = retryAfterMs(response.headers.get('retry-after'), attempt);
        limiter.pause(wait);
        this.options.onThrottled?.(response.status, wait);
        await discard(response);
        continue;
      }
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        await discard(response);
        await this.options.onUnauthorized();
        continue;
      }
      return;
    }
  }
}

type HeaderBag = Headers | Array<[string, string]> | Record<string, string>;

function copyHeaders(headers: unknown): HeaderBag | undefined {
  if (headers === undefined) return undefined;
  if (headers instanceof Headers) return new Headers(headers);
  if (Array.isArray(headers))
    return (headers as Array<[string, string]>).map(([k, v]): [string, string] => [k, v]);
  return { ...(headers as Record<string, string>) };
}

async function discard(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

/** The same answer with its body already read, so the caller parses it from memory. */
async function readWhole(response: Response): Promise<Response> {
  const body = await response.arrayBuffer();
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  return new Response(body.byteLength > 0 && !NULL_BODY.has(response.status) ? body : null, init);
}

const NULL_BODY = new Set([101, 204, 205, 304]);
