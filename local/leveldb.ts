/**
 * Reading the local stack's LevelDB indexes (classic-level) without native garbage: a read of a range that
 * holds a few entries (one key's versions) asks for them {@link SMALL_READ} at a time.
 *
 * Why: `iterator.all()` and an iterator's `next()` ask classic-level for 1,000 entries a call, and its native
 * side reserves room for that many (64 bytes each: 64 KB) in the iterator — memory outside V8's heap, given
 * back only when V8 collects the iterator's handle, well after `close()`. A lookup per S3 request left 64 KB of
 * it behind each time: at 50 relayed objects a second, about 40 MB a second that V8 neither saw nor counted
 * towards its next collection, and the allocator kept the ground it covered (bench/lib/index-lookup-memory.ts:
 * 200,000 lookups of two-version keys grew a process's resident set after full collections by +339 MiB with
 * `.all()`, +39 MiB read this way).
 */

/** Entries asked for per native read by {@link readSmallRange}: most keys hold one to three versions. */
export const SMALL_READ = 16;

/** An iterator of classic-level (abstract-level), as far as {@link readSmallRange} uses it. */
export interface BatchIterator<T> {
  nextv(size: number): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Every entry of `iterator`, read {@link SMALL_READ} at a time, in its order; the iterator is closed at the
 * end, also when a read fails. For ranges expected to hold few entries — a large range is read faster by
 * `.all()`, which the reservation costs little against.
 */
export async function readSmallRange<T>(iterator: BatchIterator<T>): Promise<T[]> {
  const entries: T[] = [];
  try {
    for (;;) {
      const batch = await iterator.nextv(SMALL_READ);
      if (batch.length === 0) return entries;
      for (const entry of batch) entries.push(entry);
    }
  } finally {
    await iterator.close();
  }
}
