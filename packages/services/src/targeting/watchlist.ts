import {
  ScreeningError,
  checkQueryName,
  countryCode,
  type ScreeningQuery,
} from '@interdict/screening';
import type { WatchlistDecision } from '@interdict/store';
import type { PartyScreener } from '../screening/party-screener';
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

/**
 * Watchlist lane raises for targeting (issue 6 §4): the party names a declaration carries are
 * screened with the screening capability's matcher against the list versions in force (through
 * the `PartyScreener` it is handed: the screening service's for a stored day, an index of list
 * files for the CLI), and officers' screening decisions on that name and entity confirm or
 * dismiss a hit.
 */

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

/** The version id of `list` among the versions in force (`ofac` → `ofac@2024-05-03`). */
const versionOf = (list: string, listVersions: readonly string[]): string =>
  listVersions.find((v) => v.startsWith(`${list}@`)) ?? list;

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
