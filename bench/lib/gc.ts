/**
 * This process's memory after full garbage collections, for the bench scripts run with `node --expose-gc`.
 * Collects until V8's committed heap stops shrinking (at most five times: after one collection V8 still keeps
 * the room it sized for the work of the moment), waiting between collections so native finalizers run and free
 * what they hold (classic-level's iterators free their native memory only then). bench/children/heap-report.mjs
 * applies the same rule inside `relay local`; it is plain JavaScript loaded before tsx, so it keeps its own copy.
 */
export async function memoryAfterFullGc(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  let committed = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = process.memoryUsage().heapTotal;
    if (now >= committed) break;
    committed = now;
  }
  return process.memoryUsage();
}
