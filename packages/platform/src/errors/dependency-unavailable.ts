/**
 * The one way to say "a dependency this request needs cannot be reached right now": the error filter answers
 * 503 with `Retry-After` and names the dependency (never the cause's message). Throw it where a dependency
 * call gave up (a deadline passed, the connection is gone), not for the request's own faults.
 */
export class DependencyUnavailable extends Error {
  constructor(
    /** A short public name: `redis`, `kafka`, `postgres`. */
    readonly dependency: string,
    /** What the 503's `Retry-After` says, in whole seconds. */
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is unavailable`, options);
    this.name = 'DependencyUnavailable';
  }
}
