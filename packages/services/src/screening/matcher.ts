import { ScreeningIndex, type ScreeningQuery, type SearchOptions } from '@interdict/screening';
import {
  currentScreeningEntities,
  currentScreeningVersions,
  screeningIndexSource,
  StoreError,
  type Store,
  type StoredListVersion,
} from '@interdict/store';
import type { ServicesSettings } from '../settings';
import { ScreeningServiceError } from './errors';
import { screenBatch } from './screening-batch';
import type { ListVersionKey } from './version-key';
import { ScreeningWorkerPool, screeningWorkerCount, type ScreeningGeneration } from './worker-pool';
import { compactHit, type PooledHit } from './worker-protocol';

/** Queries and the threshold each is screened at (monitored parties have their own). */
export interface ThresholdQuery {
  readonly query: ScreeningQuery;
  readonly threshold: number;
}

/** How many listed entities a monitored party's screening keeps. */
const HITS_PER_PARTY = 20;

/** The stored id of the version in force of each list (`ofac` → `ofac@2024-05-03#1a2b3c4d`). */
export const versionMap = (versions: readonly StoredListVersion[]): Map<string, string> =>
  new Map(versions.map((v) => [v.source, v.storedId]));

/**
 * Where screening runs, for one screening service (issue 5 §4, issue 12 §1): a pool of worker
 * threads, one index per thread, so a large batch uses every core and never holds up the thread
 * that answers HTTP. Size: `settings.screeningWorkers` (INTERDICT_SCREENING_WORKERS; default one
 * per core; 0 screens on the calling thread, time-sliced by `screenBatch`). The pool starts on the
 * first screening (a CLI command that never screens starts no thread); until every worker has
 * built the index for the versions in force, a request waits up to `settings.screeningWaitMs`
 * (INTERDICT_SCREENING_WAIT_MS, default 30 s) and then fails with SCREENING_WARMING_UP.
 *
 * Without workers, an index over the versions in force is kept in this process, keyed by their
 * stored ids (each carries its content hash, so the same key always means the same entities,
 * whichever store or transaction read them).
 */
export class ScreeningMatcher {
  private pool: ScreeningWorkerPool | null | undefined;
  private index: { key: string; index: ScreeningIndex } | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly settings: ServicesSettings,
    private readonly keys: ListVersionKey,
  ) {}

  /** The worker pool, started on first use; null when screening runs on the calling thread. */
  workers(): ScreeningWorkerPool | null {
    if (this.pool === undefined) {
      if (this.closed) throw new StoreError('STORE_UNAVAILABLE', 'the screening pool is closed');
      const size = screeningWorkerCount(this.settings.screeningWorkers);
      this.pool = size === 0 ? null : new ScreeningWorkerPool(size);
    }
    return this.pool;
  }

  /** The pool if it has been started (tests look at it; nothing starts it here). */
  get startedPool(): ScreeningWorkerPool | undefined {
    return this.pool ?? undefined;
  }

  /**
   * The in-process index over the versions in force as `store` sees them (a transaction sees its
   * own install), rebuilt only when those versions change.
   */
  async inProcessIndex(
    store: Store,
  ): Promise<{ index: ScreeningIndex; versions: StoredListVersion[] }> {
    const current = await currentScreeningVersions(store);
    const key = current.map((v) => v.storedId).join('|');
    if (this.index?.key === key) return { index: this.index.index, versions: current };
    // Read the entities only when the versions in force changed.
    const { versions, entities } = await currentScreeningEntities(store);
    const built = {
      key: versions.map((v) => v.storedId).join('|'),
      index: ScreeningIndex.build(entities),
    };
    this.index = built;
    return { index: built.index, versions };
  }

  /** The pool's generation for the versions in force, read outside any transaction. */
  private generationInForce(pool: ScreeningWorkerPool): Promise<ScreeningGeneration> {
    return this.keys
      .current(this.store)
      .then((key) =>
        pool.generationFor(
          key,
          () => screeningIndexSource(this.store),
          this.settings.screeningWaitMs,
        ),
      );
  }

  /**
   * Screens `queries` against the versions in force; each query's hits (with explanations) as
   * JSON text, so the edge can send them as they are. On the workers, they serialise the hits.
   */
  async matchJson(
    queries: readonly ScreeningQuery[],
    options: SearchOptions,
  ): Promise<{ listVersions: readonly string[]; hits: string[] }> {
    const pool = this.workers();
    if (pool) {
      return unavailableAsScreeningError(async () => {
        const generation = await this.generationInForce(pool);
        const { generation: used, hits } = await pool.searchJson(queries, options, generation);
        return { listVersions: used.listVersions, hits };
      });
    }
    const { index, versions } = await this.inProcessIndex(this.store);
    const hits = await screenBatch(index, queries, options);
    return {
      listVersions: versions.map((v) => v.id),
      hits: hits.map((h) => JSON.stringify(h.map((x) => compactHit(x, true)))),
    };
  }

  /**
   * Screens party names (targeting's watchlist lane raiser) against the versions in force: on the
   * workers when they run, else on this thread, time-sliced.
   */
  async screen(
    queries: readonly ScreeningQuery[],
    options: SearchOptions,
  ): Promise<{ hits: PooledHit[][]; listVersions: readonly string[] }> {
    const pool = this.workers();
    if (pool) {
      return unavailableAsScreeningError(async () => {
        const generation = await this.generationInForce(pool);
        const { generation: used, hits } = await pool.search(queries, options, {}, generation);
        return { hits, listVersions: used.listVersions };
      });
    }
    const { index, versions } = await this.inProcessIndex(this.store);
    const hits = await screenBatch(index, queries, options);
    return {
      hits: hits.map((hs) => hs.map((h) => compactHit(h, false))),
      listVersions: versions.map((v) => v.id),
    };
  }

  /**
   * Screens monitored parties against the versions in force as `store` sees them (a transaction:
   * an import's own new version included); hits in input order, with explanations. On the
   * workers: on the generation in force when its versions are the ones seen here, else on a
   * generation built for this call only (never shown to match requests, since the transaction may
   * still roll back, and never waiting behind builds that read outside it: on PGlite those would
   * wait for the transaction, a deadlock). Without workers: the in-process index.
   */
  async screenParties(
    store: Store,
    items: readonly ThresholdQuery[],
  ): Promise<{ hits: PooledHit[][]; versionOf: Map<string, string> }> {
    const pool = this.workers();
    if (!pool) {
      const { index, versions } = await this.inProcessIndex(store);
      return {
        hits: items.map(({ query, threshold }) =>
          index.search(query, { threshold, limit: HITS_PER_PARTY }).map((h) => compactHit(h, true)),
        ),
        versionOf: versionMap(versions),
      };
    }
    const versions = await currentScreeningVersions(store);
    const key = await this.keys.current(store);
    const versionOf = versionMap(versions);
    const current = pool.generation;
    if (current?.key === key) {
      try {
        return { hits: await searchOn(pool, current, items), versionOf };
      } catch (error) {
        // Retired meanwhile (a newer version came into force): build this call's own below.
        if (!(error instanceof StoreError) || error.code !== 'STORE_UNAVAILABLE') throw error;
      }
    }
    const source = await screeningIndexSource(store);
    const hits = await pool.withGeneration(source, (g) => searchOn(pool, g, items));
    return { hits, versionOf };
  }

  /** Stops the workers; screening after this fails. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    this.index = undefined;
    await pool?.close();
  }
}

/** Screen on one pool generation, one pool request per distinct threshold; hits in input order. */
async function searchOn(
  pool: ScreeningWorkerPool,
  generation: ScreeningGeneration,
  items: readonly ThresholdQuery[],
): Promise<PooledHit[][]> {
  const out: PooledHit[][] = items.map(() => []);
  const byThreshold = new Map<number, number[]>();
  items.forEach((item, i) =>
    byThreshold.set(item.threshold, [...(byThreshold.get(item.threshold) ?? []), i]),
  );
  for (const [threshold, at] of byThreshold) {
    const { hits } = await pool.search(
      at.map((i) => items[i]!.query),
      { threshold, limit: HITS_PER_PARTY },
      { explain: true },
      generation,
    );
    at.forEach((i, k) => (out[i] = hits[k] ?? []));
  }
  return out;
}

/**
 * The pool's STORE_UNAVAILABLE as the screening service's own errors: SCREENING_WARMING_UP while
 * the workers build (with `retryAfter`), SCREENING_UNAVAILABLE when they failed or stopped.
 */
async function unavailableAsScreeningError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_UNAVAILABLE') {
      const warming = error.details?.retryAfter !== undefined;
      throw new ScreeningServiceError(
        warming ? 'SCREENING_WARMING_UP' : 'SCREENING_UNAVAILABLE',
        error.message,
        { cause: error, details: { retryAfter: Number(error.details?.retryAfter ?? 5) } },
      );
    }
    throw error;
  }
}
