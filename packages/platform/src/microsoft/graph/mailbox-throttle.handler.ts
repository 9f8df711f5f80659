import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { GraphWaitOption, GraphWaits } from './graph-waits';
import type { MailboxGate } from './mailbox-limiter';
import { retryAfterMs } from './retry-after';

/** Graph's "slow down": the whole mailbox waits for Retry-After. */
const THROTTLED = new Set([429, 503]);
/** Transient server trouble (Graph sends these in bursts): this request backs off and tries again. */
const TRANSIENT = new Set([500, 502]);
/** Often the page, not Graph: retried a little, then the caller decides (the sync shrinks the page). */
const GATEWAY_TIMEOUT = 504;

export interface ThrottleHandlerOptions {
  limiter: MailboxGate;
  /** The client's own GraphWaits; a request's GraphWaitOption overrides them field by field. */
  waits?: GraphWaits;
  maxThrottleRetries: number;
  /** 504s one request may take before its error reaches the caller. */
  maxGatewayTimeoutRetries: number;
  /**
   * The largest answer read into memory. A larger one is cut off and answered as a 504 `ResponseTooLarge`,
   * which the sync treats like Graph's own timeout on a big page: it asks again for fewer messages.
   */
  maxResponseBytes: number;
  /** A 401: make the next token a fresh one. The request is sent once more, then the 401 stands. */
  onUnauthorized: () => Promise<void>;
  onThrottled?: (status: number, waitMs: number) => void;
  onRetried?: (status: number | 'network', waitMs: number) => void;
}

/**
 * First in the graph client's chain (instead of its RetryHandler, which would retry behind the limiter's
 * back): every attempt takes a slot of the mailbox's limiter; a 429/503 pauses the whole mailbox for its
 * Retry-After and tries again, so throttling slows a sync and does not fail it. A caller can say how long it
 * is willing to wait (GraphWaits.maxWaitMs: a longer pause fails the request with MailboxPausedError before
 * it is sent) and what to do while it waits (GraphWaits.around). The authentication handler comes after
 * this one, so a retry after a 401 carries the new token.
 */
export class MailboxThrottleHandler implements Middleware {
  private next?: Middleware;

  constructor(private readonly options: ThrottleHandlerOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const { limiter } = this.options;
    const perRequest = context.middlewareControl?.getMiddlewareOptions(GraphWaitOption) as
      GraphWaitOption | undefined;
    const waits: GraphWaits = { ...this.options.waits, ...perRequest?.waits };
    let refreshed = false;
    // The handlers after this one append to the headers (Authorization, SdkVersion); each attempt must start
    // from the caller's headers, or a retry sends "Bearer a, Bearer b".
    const headers = copyHeaders(context.options?.headers);
    for (let attempt = 1; ; attempt += 1) {
      if (context.options) context.options.headers = copyHeaders(headers);
      const permit = await limiter.acquire(waits);
      try {
        await this.next!.execute(context);
        // Graph counts a request until its answer is sent, not until its headers are: the slot is held until
        // the whole body is here, or a large page still streaming makes the next request a fifth (429).
        if (context.response) {
          context.response = await readWhole(context.response, this.options.maxResponseBytes);
        }
      } catch (error) {
        // A connection reset or refused mid-burst: the same bounded backoff as a 502.
        if (!isNetworkError(error) || attempt > this.options.maxThrottleRetries) throw error;
        context.response = undefined;
        permit.release();
        await this.backOff('network', attempt, waits);
        continue;
      } finally {
        permit.release();
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
      const gatewayRetry =
        response.status === GATEWAY_TIMEOUT &&
        response.headers.get(TOO_LARGE_HEADER) === null &&
        attempt <= this.options.maxGatewayTimeoutRetries;
      if ((TRANSIENT.has(response.status) && attempt <= this.options.maxThrottleRetries) || gatewayRetry) {
        await discard(response);
        await this.backOff(response.status, attempt, waits);
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

  private async backOff(status: number | 'network', attempt: number, waits: GraphWaits): Promise<void> {
    // Jitter: mailboxes that failed together must not retry in lockstep.
    const wait = Math.round(retryAfterMs(null, attempt) * (0.5 + Math.random() / 2));
    this.options.onRetried?.(status, wait);
    const sleepOut = () => sleep(wait);
    await (waits.around ? waits.around(sleepOut) : sleepOut());
  }
}

/** fetch's own failures (undici): the request never got an HTTP answer. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|network|socket|ECONN/i.test(error.message);
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

/** Marks the stand-in answer for a body over the limit (so it is not asked for again as it is). */
const TOO_LARGE_HEADER = 'x-core-email-response-too-large';

/**
 * The same answer with its body already read, so the caller parses it from memory; a body over `maxBytes`
 * (by Content-Length or by what arrived) is not kept: an external sender can fill a page with huge messages,
 * and a page we cannot hold would otherwise fail its folder on every retry or take the process down.
 */
async function readWhole(response: Response, maxBytes: number): Promise<Response> {
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) return tooLarge(response);
  if (declared >= 0 && !response.headers.has('content-encoding')) {
    // fetch refuses a body longer than its Content-Length, so the declared size bounds what arrives (unless
    // it is compressed: then it bounds only the compressed bytes).
    const whole = await response.arrayBuffer();
    return new Response(whole.byteLength > 0 && !NULL_BODY.has(response.status) ? whole : null, init);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader!.cancel().catch(() => undefined);
      return tooLarge(response);
    }
    chunks.push(chunk.value);
  }
  const body = total > 0 && !NULL_BODY.has(response.status) ? Buffer.concat(chunks, total) : null;
  return new Response(body, init);
}

function tooLarge(response: Response): Response {
  void response.body?.cancel().catch(() => undefined);
  const error = {
    error: { code: 'ResponseTooLarge', message: `the answer is over the limit this service reads` },
  };
  return new Response(JSON.stringify(error), {
    status: GATEWAY_TIMEOUT,
    headers: { 'content-type': 'application/json', [TOO_LARGE_HEADER]: '1' },
  });
}

const NULL_BODY = new Set([101, 204, 205, 304]);
