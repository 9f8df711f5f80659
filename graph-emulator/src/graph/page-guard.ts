// Exchange Online's gateway gives up on pages that take too long to build: "returning a page with hundreds
// of messages each with a full response payload may trigger the gateway timeout (HTTP 504)". The emulator
// makes that deterministic by measuring the page's JSON, so a client that shrinks its page size gets through.
import type { AppContext } from '../context';
import { GraphError } from '../http/errors';

/** Graph's gateway answers with an empty UnknownError. */
export function gatewayTimeout(): GraphError {
  return new GraphError(504, 'UnknownError', '');
}

/** Serializes a page, or throws 504 when it is larger than EMULATOR_GATEWAY_TIMEOUT_PAGE_BYTES. */
export function serializePage(ctx: AppContext, body: unknown): string {
  const json = JSON.stringify(body);
  const limit = ctx.config.gatewayTimeoutPageBytes;
  if (limit <= 0 || json.length * 3 <= limit) return json;
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so the exact count is only needed near the limit.
  if (json.length > limit || Buffer.byteLength(json) > limit) throw gatewayTimeout();
  return json;
}
