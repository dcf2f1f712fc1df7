import type {
  ScreeningHit,
  ScreeningIndex,
  ScreeningQuery,
  SearchOptions,
} from '@interdict/screening';

/** Batches larger than this are screened in slices, with the event loop free in between. */
export const BATCH_YIELD_ABOVE = 200;
/** Queries per slice: a few milliseconds of work at the measured per-query cost. */
export const BATCH_SLICE = 25;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Screen `queries` against one index, in input order. Up to BATCH_YIELD_ABOVE queries run at
 * once; a larger batch runs in slices of BATCH_SLICE with a macrotask turn (setImmediate) between
 * them, so other requests, health checks and timers are served while it runs. Every query sees
 * the same index object, so the results equal those of screening the queries one by one.
 */
export async function screenBatch(
  index: ScreeningIndex,
  queries: readonly ScreeningQuery[],
  options: SearchOptions,
): Promise<ScreeningHit[][]> {
  if (queries.length <= BATCH_YIELD_ABOVE) return queries.map((q) => index.search(q, options));
  const results: ScreeningHit[][] = [];
  for (let i = 0; i < queries.length; i += BATCH_SLICE) {
    await yieldToLoop();
    for (const q of queries.slice(i, i + BATCH_SLICE)) results.push(index.search(q, options));
  }
  return results;
}
