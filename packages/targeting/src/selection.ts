import type { Declaration, PartyRole } from './declarations';
import { TargetingError } from './errors';
import { capacityFor, rankByScore } from './metrics';
import { Prng } from './prng';

/**
 * Selectivity as customs run it (UNCTAD ASYCUDA selectivity; WCO nCEN): declarations go to
 * lanes — red (physical inspection), yellow (documentary check), blue (post-clearance audit),
 * green (release) — from score bands and officers' rules, within the day's inspection capacity,
 * with a reserved share of random inspections so the model keeps seeing unbiased outcomes.
 */
export type Lane = 'red' | 'yellow' | 'blue' | 'green';
const LANE_ORDER: readonly Lane[] = ['green', 'blue', 'yellow', 'red'];

export function higherLane(a: Lane, b: Lane): Lane {
  return LANE_ORDER.indexOf(a) >= LANE_ORDER.indexOf(b) ? a : b;
}

/** A rule written by an officer: all given conditions must hold, within the validity dates. */
export interface TargetingRule {
  readonly id: string;
  readonly lane: Lane;
  /** HS code prefix (chapter, heading, subheading or full code). */
  readonly hsPrefix?: string;
  readonly origin?: string;
  readonly departure?: string;
  readonly importer?: string;
  readonly declarant?: string;
  readonly office?: string;
  /** Inclusive ISO dates; absent means open-ended. */
  readonly validFrom?: string;
  readonly validTo?: string;
  /** Why the rule exists, shown as the reason on every declaration it hits. */
  readonly explanation: string;
}

export function ruleMatches(rule: TargetingRule, d: Declaration): boolean {
  if (rule.validFrom && d.date < rule.validFrom) return false;
  if (rule.validTo && d.date > rule.validTo) return false;
  if (rule.hsPrefix && !d.hsCode.startsWith(rule.hsPrefix)) return false;
  if (rule.origin && d.origin !== rule.origin) return false;
  if (rule.departure && d.departure !== rule.departure) return false;
  if (rule.importer && d.importer !== rule.importer) return false;
  if (rule.declarant && d.declarant !== rule.declarant) return false;
  if (rule.office && d.office !== rule.office) return false;
  return true;
}

/** Probability thresholds for the lanes below red (red comes from capacity and rules). */
export interface ScoreBands {
  readonly yellow: number;
  readonly blue: number;
}

export const DEFAULT_BANDS: ScoreBands = { yellow: 0.5, blue: 0.2 };

export interface SelectionOptions {
  /** Inspection capacity: a share of the day's declarations, or a number of them. */
  readonly capacity: { readonly percent: number } | { readonly count: number };
  /** Share of the capacity kept for uniformly random picks (e.g. 0.1). */
  readonly randomShare?: number;
  readonly seed?: number;
  readonly rules?: readonly TargetingRule[];
  readonly bands?: ScoreBands;
  /**
   * Lane raises per declaration (same order as `declarations`), from `collectLaneRaises`. A red
   * raise is inspected like a red rule: mandatory, even beyond capacity.
   */
  readonly raises?: readonly (readonly LaneRaise[] | undefined)[];
}

export type SelectionReason = 'model' | 'random' | 'rule' | 'raised';

/**
 * What, beyond the model's score and officers' rules, lifts a declaration's lane (issue 6 §4):
 * today a watchlist hit on one of its parties (source `watchlist`); later a matching live
 * intelligence report (source `intelligence`). A raise only ever raises: lanes take the highest
 * of score band, rules and raises.
 */
export interface LaneRaise {
  readonly source: string;
  readonly lane: Lane;
  /** Shown to the officer as it is, e.g. "Importer X matches OFAC SDN 'Y' (SDNTK, 0.93, …)". */
  readonly reason: string;
}

/**
 * A source of lane raises. It sees a whole day's declarations at once so it can batch its
 * look-ups (one screening pass over the day's distinct party names, say); it may be async
 * because its data live behind I/O that the caller wires in (the store, a worker pool).
 */
export interface LaneRaiser {
  readonly source: string;
  raise(declarations: readonly Declaration[]): Promise<readonly (readonly LaneRaise[])[]>;
}

/** Runs every raiser over the day and merges their raises per declaration. */
export async function collectLaneRaises(
  declarations: readonly Declaration[],
  raisers: readonly LaneRaiser[],
): Promise<LaneRaise[][]> {
  const merged: LaneRaise[][] = declarations.map(() => []);
  for (const raiser of raisers) {
    const raised = await raiser.raise(declarations);
    if (raised.length !== declarations.length)
      throw new TargetingError(
        'INVALID_ARGUMENT',
        `lane raiser ${raiser.source} answered for ${raised.length} of ${declarations.length} declarations`,
      );
    raised.forEach((r, i) => merged[i]?.push(...r));
  }
  return merged;
}

/** The highest lane among raises (green when there are none). */
export function raisedLane(raises: readonly LaneRaise[] | undefined): Lane {
  return (raises ?? []).reduce<Lane>((lane, r) => higherLane(lane, r.lane), 'green');
}

export interface Selected {
  readonly index: number;
  readonly id: string;
  readonly score: number;
  readonly lane: Lane;
  readonly inspect: boolean;
  /** Why it was inspected, if it was. */
  readonly selectedBy: SelectionReason | null;
  /** Rule explanations that applied. */
  readonly ruleReasons: string[];
  /** Lane raises that applied (watchlist hits, later intelligence). */
  readonly raises: LaneRaise[];
}

/** A day's inspection capacity in declarations: a share of `n` (rounded, at least one) or a count. */
export function inspectionCapacity(n: number, capacity: SelectionOptions['capacity']): number {
  return 'percent' in capacity
    ? capacityFor(n, capacity.percent)
    : Math.max(0, Math.floor(capacity.count));
}

/** Inspections of a capacity reserved for uniformly random picks (rounded, never above it). */
export function randomReserve(capacity: number, randomShare: number): number {
  return Math.min(capacity, Math.round(capacity * randomShare));
}

/**
 * Ranks a day's declarations and picks those to inspect: `randomShare` of the capacity is
 * reserved for uniformly random picks; red rules and red raises are inspected (even beyond
 * capacity), then the model's top scores fill what is left.
 * Everything picked is red; the others take the highest of their score band, their rules' lanes
 * and their raises' lanes.
 */
export function selectForInspection(
  declarations: readonly Declaration[],
  scores: ArrayLike<number>,
  options: SelectionOptions,
): Selected[] {
  if (declarations.length !== scores.length)
    throw new TargetingError('INVALID_ARGUMENT', 'declarations and scores differ in length');
  const n = declarations.length;
  const capacity = inspectionCapacity(n, options.capacity);
  const randomShare = options.randomShare ?? 0.1;
  if (!(randomShare >= 0 && randomShare <= 1))
    throw new TargetingError('INVALID_ARGUMENT', 'randomShare must be between 0 and 1');
  const bands = options.bands ?? DEFAULT_BANDS;
  const rules = options.rules ?? [];
  const prng = new Prng(options.seed ?? 1);

  const ruleLane: Lane[] = new Array<Lane>(n).fill('green');
  const ruleReasons: string[][] = Array.from({ length: n }, () => []);
  declarations.forEach((d, i) => {
    for (const rule of rules) {
      if (ruleMatches(rule, d)) {
        ruleLane[i] = higherLane(ruleLane[i] as Lane, rule.lane);
        ruleReasons[i]?.push(rule.explanation);
      }
    }
  });
  if (options.raises && options.raises.length !== n)
    throw new TargetingError('INVALID_ARGUMENT', 'declarations and raises differ in length');
  const raiseLane = declarations.map((_, i) => raisedLane(options.raises?.[i]));
  const selectedBy: (SelectionReason | null)[] = new Array<SelectionReason | null>(n).fill(null);
  let used = 0;
  // Red rules and red raises are mandatory: they are inspected even beyond capacity.
  for (let i = 0; i < n; i++) {
    if (ruleLane[i] === 'red' || raiseLane[i] === 'red') {
      selectedBy[i] = ruleLane[i] === 'red' ? 'rule' : 'raised';
      used++;
    }
  }
  // The random share is reserved from the whole capacity before anything else takes it (the
  // minimum random rate of ASYCUDA's selectivity module; DATE, KDD 2020, §3 on exploration):
  // otherwise a day whose red rules and raises fill the capacity would teach the next model
  // nothing unbiased. Mandatory reds still go beyond capacity; the model gets what is left.
  const randomCount = randomReserve(capacity, randomShare);
  let modelCount = Math.max(0, capacity - randomCount - used);
  for (const i of rankByScore(scores)) {
    if (modelCount === 0) break;
    if (selectedBy[i] === null) {
      selectedBy[i] = 'model';
      modelCount--;
    }
  }
  const pool: number[] = [];
  for (let i = 0; i < n; i++) if (selectedBy[i] === null) pool.push(i);
  prng.shuffle(pool);
  for (const i of pool.slice(0, randomCount)) selectedBy[i] = 'random';

  return declarations.map((d, i) => {
    const score = scores[i] as number;
    const band: Lane = score >= bands.yellow ? 'yellow' : score >= bands.blue ? 'blue' : 'green';
    const by = selectedBy[i] ?? null;
    return {
      index: i,
      id: d.id,
      score,
      lane: by ? 'red' : higherLane(higherLane(band, ruleLane[i] as Lane), raiseLane[i] as Lane),
      inspect: by !== null,
      selectedBy: by,
      ruleReasons: ruleReasons[i] ?? [],
      raises: [...(options.raises?.[i] ?? [])],
    };
  });
}

/** Validates rules given as JSON (the rules file of the CLI, the API's body). */
export function parseRules(value: unknown): TargetingRule[] {
  if (!Array.isArray(value)) throw new TargetingError('INVALID_ARGUMENT', 'rules must be a list');
  return value.map((raw: unknown, k) => {
    if (typeof raw !== 'object' || raw === null)
      throw new TargetingError('INVALID_ARGUMENT', `rule ${k} is not an object`);
    const r = raw as Record<string, unknown>;
    const str = (key: string): string | undefined => {
      const v = r[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string')
        throw new TargetingError('INVALID_ARGUMENT', `rule ${k}: "${key}" must be a string`);
      return v;
    };
    const lane = str('lane');
    if (!lane || !(LANE_ORDER as readonly string[]).includes(lane))
      throw new TargetingError(
        'INVALID_ARGUMENT',
        `rule ${k}: lane must be red, yellow, blue or green`,
      );
    const explanation = str('explanation');
    if (!explanation)
      throw new TargetingError('INVALID_ARGUMENT', `rule ${k}: an explanation is required`);
    for (const key of ['validFrom', 'validTo']) {
      const v = str(key);
      if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v))
        throw new TargetingError('INVALID_ARGUMENT', `rule ${k}: ${key} must be YYYY-MM-DD`);
    }
    const pick = (key: string): Record<string, string> => {
      const v = str(key);
      return v === undefined ? {} : { [key]: v };
    };
    return {
      id: str('id') ?? `rule-${k + 1}`,
      lane: lane as Lane,
      explanation,
      ...pick('hsPrefix'),
      ...pick('origin'),
      ...pick('departure'),
      ...pick('importer'),
      ...pick('declarant'),
      ...pick('office'),
      ...pick('validFrom'),
      ...pick('validTo'),
    };
  });
}

/**
 * One watchlist hit on a declaration's party, as the caller found it with the screening matcher
 * (the targeting package does no matching itself: it only decides what a hit does to the lane).
 */
export interface WatchlistMatch {
  readonly role: PartyRole;
  readonly partyName: string;
  readonly entityId: string;
  /** The listed entity's primary name, and the listed name (alias or primary) that matched. */
  readonly entityName: string;
  readonly matchedName: string;
  /** The list's source tag (`ofac`, `un`, …) and the id of the list version in force. */
  readonly list: string;
  readonly listVersion: string;
  readonly programs: readonly string[];
  readonly score: number;
  /** An officer's latest decision on this party name and entity, if any. */
  readonly decision?: 'confirmed' | 'dismissed';
}

/** What a watchlist hit does: scores at or above `threshold` raise the lane to `lane`. */
export interface WatchlistPolicy {
  readonly threshold: number;
  readonly lane: Lane;
}

/**
 * 0.85 sits above the screening API's default review threshold (0.7): a lane raise sends a
 * declaration to physical inspection, so it needs a closer match than a screening officer's
 * review list does; confirmed decisions raise at any score.
 */
export const DEFAULT_WATCHLIST_POLICY: WatchlistPolicy = { threshold: 0.85, lane: 'red' };

const LIST_LABELS: Readonly<Record<string, string>> = {
  ofac: 'OFAC SDN',
  un: 'UN Security Council list',
};
const ROLE_LABELS: Readonly<Record<PartyRole, string>> = {
  importer: 'Importer',
  consignee: 'Consignee',
  seller: 'Seller',
};

export function parseWatchlistPolicy(input: Partial<WatchlistPolicy> = {}): WatchlistPolicy {
  const threshold = input.threshold ?? DEFAULT_WATCHLIST_POLICY.threshold;
  if (!(threshold > 0 && threshold <= 1))
    throw new TargetingError('INVALID_ARGUMENT', 'the watchlist threshold must be in (0, 1]');
  const lane = input.lane ?? DEFAULT_WATCHLIST_POLICY.lane;
  if (!LANE_ORDER.includes(lane))
    throw new TargetingError(
      'INVALID_ARGUMENT',
      'the watchlist lane must be red, yellow, blue or green',
    );
  return { threshold, lane };
}

/**
 * Turns one declaration's watchlist matches into lane raises: a confirmed decision raises
 * whatever the score, a dismissed one never does (the officer already looked at that party and
 * entity), otherwise the score must reach the threshold. One raise per party and entity, best
 * score first; the reason names the list version so an officer can trace it.
 */
export function watchlistRaises(
  matches: readonly WatchlistMatch[],
  policy: WatchlistPolicy = DEFAULT_WATCHLIST_POLICY,
): LaneRaise[] {
  const best = new Map<string, WatchlistMatch>();
  for (const m of matches) {
    if (m.decision === 'dismissed') continue;
    if (m.decision !== 'confirmed' && m.score < policy.threshold) continue;
    const key = `${m.role}\u0000${m.entityId}`;
    const seen = best.get(key);
    if (!seen || outranks(m, seen)) best.set(key, m);
  }
  return [...best.values()]
    .sort(
      (a, b) =>
        PARTY_ORDER(a.role) - PARTY_ORDER(b.role) ||
        b.score - a.score ||
        a.entityId.localeCompare(b.entityId),
    )
    .map((m) => {
      const facts = [
        ...(m.programs.length > 0 ? [m.programs.join(', ')] : []),
        // A confirmed decision on an entity the matcher did not return has no score to show.
        ...(Number.isFinite(m.score) ? [m.score.toFixed(2)] : []),
        ...(m.decision === 'confirmed' ? ['confirmed by an officer'] : []),
        `list version ${m.listVersion}`,
      ];
      const listed =
        m.matchedName === m.entityName
          ? `'${m.entityName}'`
          : `'${m.matchedName}' (${m.entityName})`;
      return {
        source: 'watchlist',
        lane: policy.lane,
        reason: `${ROLE_LABELS[m.role]} ${m.partyName} matches ${LIST_LABELS[m.list] ?? m.list.toUpperCase()} ${listed} (${facts.join(', ')})`,
      };
    });
}

const PARTY_ORDER = (role: PartyRole): number => ['importer', 'consignee', 'seller'].indexOf(role);

/** A confirmed match outranks an unconfirmed one; otherwise the higher score wins. */
function outranks(a: WatchlistMatch, b: WatchlistMatch): boolean {
  const ca = a.decision === 'confirmed';
  const cb = b.decision === 'confirmed';
  return ca !== cb ? ca : a.score > b.score;
}
