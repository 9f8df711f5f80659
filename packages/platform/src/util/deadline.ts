/** The work did not settle in time. The work itself goes on: a promise cannot be cancelled. */
export class DeadlinePassed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlinePassed';
  }
}

/**
 * `work`, or a rejection once `ms` have passed: `passed()`, or a DeadlinePassed saying "<what> did not answer
 * within <ms> ms". Callers only race work whose late effect is harmless; its late failure is nobody's business.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  passed: string | (() => Error),
): Promise<T> {
  work.catch(() => undefined); // settled after the deadline: not an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        typeof passed === 'string'
          ? new DeadlinePassed(`${passed} did not answer within ${ms} ms`)
          : passed(),
      );
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for `work` at most `ms`; says whether it finished. For shutdown steps that kafkajs can stall on while
 * a broker recovers: a stop must not hang on them.
 */
export async function finishesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  const unfinished = new DeadlinePassed('unfinished');
  try {
    await withDeadline(work, ms, () => unfinished);
    return true;
  } catch (error) {
    if (error === unfinished) return false;
    throw error;
  }
}
