/**
 * `pending`, or a rejection once `ms` have passed: ioredis queues a command while the cluster is unreachable
 * and would keep the caller waiting for as long. The command may still run later; callers only make calls
 * whose late effect is harmless (a lease that lapses, a count that only makes a limit stricter).
 */
export function withinDeadline<T>(pending: Promise<T>, ms: number, what = 'Redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  pending.catch(() => undefined); // a late failure after the deadline is nobody's business
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}
