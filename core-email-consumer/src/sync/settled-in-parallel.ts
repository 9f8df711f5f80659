/**
 * Runs `work` over `items` with at most `limit` at once. After the first failure no new item starts, the
 * running ones are waited for, and then the first failure is thrown: the caller's lease on the mailbox must
 * outlive every write made under it.
 */
export async function settledInParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      try {
        await work(items[next++]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw failure.error;
}
