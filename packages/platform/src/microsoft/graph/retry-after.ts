/** Used when a throttled answer carries no usable Retry-After: doubles per attempt up to a minute. */
const FALLBACK_BASE_MS = 1_000;
const FALLBACK_MAX_MS = 60_000;
/** A hostile or broken header must not park a mailbox for hours. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Retry-After as delay-seconds (Graph sends fractions, e.g. 2.128) or an HTTP-date; milliseconds to wait. */
export function retryAfterMs(header: string | null, attempt: number, now = Date.now()): number {
  const fallback = Math.min(FALLBACK_BASE_MS * 2 ** Math.max(0, attempt - 1), FALLBACK_MAX_MS);
  if (!header) return fallback;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.ceil(Number(value) * 1000), MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return fallback;
  return Math.min(Math.max(date - now, 0), MAX_RETRY_AFTER_MS);
}
