import type {
  Entity,
  ScreeningHit,
  ScreeningIndex,
  ScreeningQuery,
  SearchOptions,
} from '@interdict/screening';
import { getScreeningEntity, StoreError, type Actor, type Store } from '@interdict/store';
import { requireRole } from '../access';
import type { ScreeningMatcher } from './matcher';
import { SCREENING_READER_ROLES } from './roles';
import { compactHit, type PooledHit } from './worker-protocol';

/**
 * How another capability screens party names (targeting's watchlist lane raiser, issue 6 §4;
 * underwriting's party exposure): against the list versions in force, on the screening service's
 * worker pool when it runs.
 */
export interface PartyScreener {
  /** Screens the queries (in order); hits in the pool's compact form, without explanations. */
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

/** A party screener acting as `actor`, who must be allowed to screen (checked on every call). */
export function actorPartyScreener(
  matcher: ScreeningMatcher,
  store: Store,
  actor: Actor,
): PartyScreener {
  return {
    async screen(queries, options) {
      requireRole(actor, ...SCREENING_READER_ROLES);
      return matcher.screen(queries, options);
    },
    async entity(id) {
      requireRole(actor, ...SCREENING_READER_ROLES);
      try {
        const { entity, version } = await getScreeningEntity(store, id);
        // The stored id is `<version id>#<content hash prefix>`.
        return { entity, listVersion: version.split('#')[0] ?? version };
      } catch (error) {
        // A decision on an entity no longer listed in force raises nothing.
        if (error instanceof StoreError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
  };
}

/**
 * A screener over an index the caller already holds: the CLI's `target score --lists`, which
 * screens against list files without a store, and tests.
 */
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
