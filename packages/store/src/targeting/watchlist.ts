import {
  ScreeningError,
  checkQueryName,
  countryCode,
  type Entity,
  type ScreeningHit,
  type ScreeningIndex,
  type ScreeningQuery,
  type SearchOptions,
} from '@interdict/screening';
import { compactHit, type PooledHit } from '../screening/worker-protocol';
import {
  declarationParties,
  parseWatchlistPolicy,
  watchlistRaises,
  type Declaration,
  type LaneRaise,
  type LaneRaiser,
  type WatchlistMatch,
  type WatchlistPolicy,
} from '@interdict/targeting';
import { sql } from 'kysely';
import { assertRole, type Actor } from '../actor';
import { currentScreeningIndex } from '../screening/monitoring';
import {
  SCREENING_READER_ROLES,
  getScreeningEntity,
  listScreeningVersions,
} from '../screening/repository';
import type { Store } from '../store';
import { StoreError } from '../errors';

/**
 * Watchlist lane raises for targeting (issue 6 §4): the party names a declaration carries are
 * screened with the screening capability's matcher against the list versions in force, and
 * officers' screening decisions on that name and entity confirm or dismiss a hit.
 *
 * The matcher is reached only through `PartyScreener`, so the server can hand in whatever runs
 * screening for it (the in-process index today, a worker pool tomorrow) and the CLI an index
 * built from list files; nothing here builds or caches an index of its own.
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

/** The version id of `list` among the versions in force (`ofac` → `ofac@2024-05-03`). */
const versionOf = (list: string, listVersions: readonly string[]): string =>
  listVersions.find((v) => v.startsWith(`${list}@`)) ?? list;

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

/** The organisation's screening decisions, oldest first (so the latest per pair wins). */
export async function organisationDecisions(
  store: Store,
  actor: Actor,
): Promise<WatchlistDecision[]> {
  assertRole(actor, ...SCREENING_READER_ROLES);
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

/**
 * Decisions are keyed by the name as the officer screened it: compare names without case,
 * accents, punctuation or repeated spaces, so "Acme Ltd." on a declaration meets the decision
 * taken on "ACME LTD".
 */
export function partyNameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const isUsableName = (name: string): boolean => {
  try {
    checkQueryName(name);
    return true;
  } catch (error) {
    // Empty or over-long names cannot be screened; they raise nothing rather than fail the day.
    if (error instanceof ScreeningError) return false;
    throw error;
  }
};

/** One screening query per party name and resolved country. */
const queryKey = (p: { name: string; country?: string }): string =>
  `${p.name}\u0000${countryCode(p.country) ?? ''}`;

/** At most this many listed entities per party name are considered. */
const HITS_PER_NAME = 5;

/**
 * A lane raiser that screens every distinct party name (with its country) of the day once. Declarations without
 * party names (the KCS benchmark's) cost nothing: the screener is not even called.
 */
export function watchlistRaiser(
  screener: PartyScreener,
  options: {
    readonly policy?: Partial<WatchlistPolicy>;
    readonly decisions?: readonly WatchlistDecision[];
  } = {},
): LaneRaiser {
  const policy = parseWatchlistPolicy(options.policy);
  const decided = new Map<string, WatchlistDecision['decision']>();
  for (const d of options.decisions ?? [])
    decided.set(`${partyNameKey(d.queryName)}\u0000${d.entityId}`, d.decision);
  return {
    source: 'watchlist',
    async raise(declarations: readonly Declaration[]): Promise<LaneRaise[][]> {
      const partiesOf = declarations.map((d) =>
        declarationParties(d).filter((p) => isUsableName(p.name)),
      );
      if (partiesOf.every((ps) => ps.length === 0)) return declarations.map(() => []);
      // A party's country goes to the matcher as the query's `nationality`: the matcher takes it
      // as a contradiction only when none of the entity's countries (nationalities, addresses,
      // the list's country column) is that country, which is the comparison an address country
      // allows (docs/targeting.md, "Party countries"). So each distinct (name, country) pair is
      // screened once; countries the matcher cannot resolve are left out rather than guessed.
      const queries = new Map<string, ScreeningQuery>();
      for (const p of partiesOf.flat()) {
        const key = queryKey(p);
        if (queries.has(key)) continue;
        const country = countryCode(p.country);
        queries.set(key, { name: p.name, ...(country ? { nationality: country } : {}) });
      }
      const { hits, listVersions } = await screener.screen([...queries.values()], {
        threshold: policy.threshold,
        limit: HITS_PER_NAME,
      });
      const hitsByQuery = new Map([...queries.keys()].map((k, i) => [k, hits[i] ?? []]));
      // Confirmed decisions on a day's name whose entity the matcher did not return at the
      // threshold: the officer's word stands, so look the entity up.
      const confirmedExtra = new Map<string, WatchlistMatchBase[]>();
      for (const [query, { name = '' }] of queries) {
        const key = partyNameKey(name);
        const found = new Set((hitsByQuery.get(query) ?? []).map((h) => h.entityId));
        for (const [pair, decision] of decided) {
          const [k, entityId] = pair.split('\u0000') as [string, string];
          if (decision !== 'confirmed' || k !== key || found.has(entityId) || !screener.entity)
            continue;
          const listed = await screener.entity(entityId);
          if (!listed) continue;
          const extra = confirmedExtra.get(query) ?? [];
          extra.push({
            entityId,
            entityName: listed.entity.names[0]?.full ?? entityId,
            matchedName: listed.entity.names[0]?.full ?? entityId,
            list: listed.entity.list,
            listVersion: listed.listVersion,
            programs: listed.entity.programs,
            score: NaN,
          });
          confirmedExtra.set(query, extra);
        }
      }
      return partiesOf.map((parties) => {
        const matches: WatchlistMatch[] = [];
        for (const party of parties) {
          const found: WatchlistMatchBase[] = [
            ...(hitsByQuery.get(queryKey(party)) ?? []).map((h) => ({
              entityId: h.entityId,
              entityName: h.name || h.entityId,
              matchedName: h.matchedName,
              list: h.list,
              listVersion: versionOf(h.list, listVersions),
              programs: h.programs,
              score: h.score,
            })),
            ...(confirmedExtra.get(queryKey(party)) ?? []),
          ];
          for (const m of found) {
            const decision = decided.get(`${partyNameKey(party.name)}\u0000${m.entityId}`);
            matches.push({
              ...m,
              role: party.role,
              partyName: party.name,
              ...(decision ? { decision } : {}),
            });
          }
        }
        return watchlistRaises(matches, policy);
      });
    },
  };
}

type WatchlistMatchBase = Omit<WatchlistMatch, 'role' | 'partyName' | 'decision'>;
