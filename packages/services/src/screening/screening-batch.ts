import type {
  ScreeningHit,
  ScreeningIndex,
  ScreeningQuery,
  SearchOptions,
} from '@interdict/screening';

/** Batches larger than this are screened in slices, with the event loop free in between. */
export const BATCH_YIELD_ABOVE = 200;
/** Longest stretch of screening between two event-loop turns, in milliseconds. */
export const BATCH_SLICE_MS = 8;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Screen `queries` against one index, in input order. Up to BATCH_YIELD_ABOVE queries run at
 * once; a larger batch gives the event loop a macrotask turn (setImmediate) before it starts and
 * whenever BATCH_SLICE_MS of screening have passed, so other requests, health checks and timers
 * are served while it runs (slicing by time, not count: the first queries after a list update
 * are slower while the index's per-name caches fill). Every query sees the same index object,
 * so the results equal those of screening the queries one by one.
 */
export async function screenBatch(
  index: ScreeningIndex,
  queries: readonly ScreeningQuery[],
  options: SearchOptions,
): Promise<ScreeningHit[][]> {
  if (queries.length <= BATCH_YIELD_ABOVE) return queries.map((q) => index.search(q, options));
  const results: ScreeningHit[][] = [];
  await yieldToLoop();
  let sliceStart = performance.now();
  for (const q of queries) {
    if (performance.now() - sliceStart >= BATCH_SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    results.push(index.search(q, options));
  }
  return results;
}
