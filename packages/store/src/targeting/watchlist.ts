import type {
  Entity,
  ScreeningHit,
  ScreeningIndex,
  ScreeningQuery,
  SearchOptions,
} from '@interdict/screening';
import { compactHit, type PooledHit } from '../screening/worker-protocol';
import { sql } from 'kysely';
import type { Actor } from '../actor';
import { currentScreeningIndex } from '../screening/monitoring';
import { getScreeningEntity, listScreeningVersions } from '../screening/repository';
import type { Store } from '../store';
import { StoreError } from '../errors';

/**
 * What targeting's watchlist lane raiser (packages/services/src/targeting/watchlist.ts, issue 6
 * §4) screens party names with: the screening capability's matcher against the list versions in
 * force, reached only through `PartyScreener`, so the services hand in whatever runs screening
 * (the screening service's screener) and the CLI an index built from list files; nothing here
 * builds or caches an index of its own.
 */
export interface PartyScreener {
  /**
   * Screens the queries (in order) against the lists in force. Hits are in the screening worker
   * pool's compact form (`PooledHit`, what `ScreeningWorkerPool.search` answers), so the pool can
   * serve as a screener as it is.
   */
  screen(
    queries: readonly ScreeningQuery[],
    options: SearchOptions,
  ): Promise<{
    readonly hits: readonly (readonly PooledHit[])[];
    /** Ids of the list versions the hits came from, e.g. `ofac@2024-05-03` (`<source>@…`). */
    readonly listVersions: readonly string[];
  }>;
  /** A listed entity in force by id with its list version, for confirmed decisions the matcher did not return. */
  entity?(id: string): Promise<{ entity: Entity; listVersion: string } | undefined>;
}

/** An officer's decision on a screened name and listed entity (screening_decisions). */
export interface WatchlistDecision {
  readonly queryName: string;
  readonly entityId: string;
  readonly decision: 'confirmed' | 'dismissed';
}

/** A screener over an index the caller already holds (the CLI's lists; tests). */
export function indexScreener(
  index: ScreeningIndex,
  listVersions: readonly string[],
  search: (
    index: ScreeningIndex,
    queries: readonly ScreeningQuery[],
    options: SearchOptions,
  ) => Promise<readonly (readonly ScreeningHit[])[]> = (i, qs, o) =>
    Promise.resolve(qs.map((q) => i.search(q, o))),
): PartyScreener {
  return {
    async screen(queries, options) {
      const hits = await search(index, queries, options);
      return { hits: hits.map((hs) => hs.map((h) => compactHit(h, false))), listVersions };
    },
  };
}

/**
 * The default screener: the store's index over the list versions in force (built and cached by
 * the screening capability), searched in this process. `search` lets the server screen through
 * its own batch runner.
 */
export function storeScreener(
  store: Store,
  actor: Actor,
  search?: Parameters<typeof indexScreener>[2],
): PartyScreener {
  return {
    async screen(queries, options) {
      const { index, versions } = await currentScreeningIndex(store, actor);
      return indexScreener(
        index,
        versions.map((v) => v.id),
        search,
      ).screen(queries, options);
    },
    async entity(id) {
      try {
        const { entity, version } = await getScreeningEntity(store, actor, id);
        const stored = (await listScreeningVersions(store, actor)).find(
          (v) => v.storedId === version,
        );
        return { entity, listVersion: stored?.id ?? version };
      } catch (error) {
        // A decision on an entity no longer listed in force raises nothing.
        if (error instanceof StoreError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
  };
}

/**
 * The organisation's screening decisions, oldest first (so the latest per pair wins): officers'
 * word on a screened name and listed entity, which confirms or dismisses a party's hit.
 */
export async function organisationDecisions(
  store: Store,
  actor: Actor,
): Promise<WatchlistDecision[]> {
  const rows = await sql<{ query_name: string; entity_id: string; decision: string }>`
    SELECT query_name, entity_id, decision FROM screening_decisions
    WHERE organisation_id = ${actor.organisationId}
    ORDER BY created_at, id`.execute(store.db);
  return rows.rows.map((r) => ({
    queryName: r.query_name,
    entityId: r.entity_id,
    decision: r.decision === 'confirmed' ? 'confirmed' : 'dismissed',
  }));
}
