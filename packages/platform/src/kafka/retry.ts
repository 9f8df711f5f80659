export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export function backoffDelay(policy: RetryPolicy, failedAttempt: number): number {
  const exponential = policy.initialDelayMs * 2 ** (failedAttempt - 1);
  const capped = Math.min(exponential, policy.maxDelayMs);
  // Jitter keeps replicas that failed together from retrying in lockstep.
  return Math.round(capped / 2 + Math.random() * (capped / 2));
}
