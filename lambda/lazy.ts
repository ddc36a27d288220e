/**
 * A value built on first use and shared afterwards (a model session, a cold start's clients). A failed build is
 * forgotten, so the next caller tries again instead of inheriting a rejection for the life of the process.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
