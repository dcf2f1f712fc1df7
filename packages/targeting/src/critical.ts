import type { Declaration } from './declarations';
import { TargetingError } from './errors';
import { capacityFor, rankByScore } from './metrics';
import {
  inspectionCapacity,
  raisedLane,
  randomReserve,
  ruleMatches,
  type Lane,
  type LaneRaise,
  type LaneRaiser,
  type SelectionOptions,
} from './selection';

/**
 * The Critical Fraud model's lane raise (issue 6: "above all the 'critical' ones — drugs and
 * other threats to public safety"). The Fraud model ranks the day for the capacity; a separately
 * trained Critical model (objective `critical`, model.ts) scores the same day, and the day's top
 * band of its probabilities is raised to a lane, with the probability as the officer's reason.
 */
export interface CriticalPolicy {
  /** The day's top share (percent of its declarations, rounded, at least one) that is raised. */
  readonly topPercent: number;
  readonly lane: Lane;
}

/**
 * 1 % to red: about 1 % of the KCS training split's declarations are critical frauds (Critical
 * Fraud = 2: 394 of 37,385 rows), so a band the size of the base rate is where the model can be
 * right about most of what it raises, and it fits inside the default 5 % capacity with room left
 * for the Fraud model's picks and the random share.
 */
export const DEFAULT_CRITICAL_POLICY: CriticalPolicy = { topPercent: 1, lane: 'red' };

const LANES: readonly Lane[] = ['red', 'yellow', 'blue', 'green'];

export function parseCriticalPolicy(input: Partial<CriticalPolicy> = {}): CriticalPolicy {
  const topPercent = input.topPercent ?? DEFAULT_CRITICAL_POLICY.topPercent;
  if (!(typeof topPercent === 'number' && topPercent > 0 && topPercent <= 100))
    throw new TargetingError('INVALID_ARGUMENT', 'the critical topPercent must be in (0, 100]');
  const lane = input.lane ?? DEFAULT_CRITICAL_POLICY.lane;
  if (!LANES.includes(lane))
    throw new TargetingError(
      'INVALID_ARGUMENT',
      'the critical lane must be red, yellow, blue or green',
    );
  return { topPercent, lane };
}

export const CRITICAL_SOURCE = 'critical-model';

/** What a red Critical band may take of the day's capacity (see `criticalRaiser`). */
export interface CriticalBudget {
  readonly redBudget: number;
  /** Declarations `selectForInspection` will inspect anyway: a red rule or a red raise. */
  readonly mandatory: readonly boolean[];
}

/**
 * The red budget of a day's Critical band, worked out from the same selection options that
 * `selectForInspection` will then be given (before the band's own raises are added): the
 * capacity, less the reserved random share (`randomReserve`), less the declarations that red
 * rules and red raises make mandatory. `planInspectionDay` uses it for the store's
 * `scoreTargetingDay` and the CLI's `target score` alike, so both trim the band the same way.
 */
export function criticalBudget(
  declarations: readonly Declaration[],
  options: Pick<SelectionOptions, 'capacity' | 'randomShare' | 'rules' | 'raises'>,
): CriticalBudget {
  const randomShare = options.randomShare ?? 0.1;
  // Checked here too (selectForInspection refuses it later): a NaN share would make the budget
  // NaN, which the raiser would read as unlimited.
  if (!(randomShare >= 0 && randomShare <= 1))
    throw new TargetingError('INVALID_ARGUMENT', 'randomShare must be between 0 and 1');
  const rules = (options.rules ?? []).filter((rule) => rule.lane === 'red');
  const mandatory = declarations.map(
    (d, i) =>
      raisedLane(options.raises?.[i]) === 'red' || rules.some((rule) => ruleMatches(rule, d)),
  );
  const capacity = inspectionCapacity(declarations.length, options.capacity);
  const redBudget = Math.max(
    0,
    capacity - randomReserve(capacity, randomShare) - mandatory.filter(Boolean).length,
  );
  return { redBudget, mandatory };
}

/**
 * Raises the day's top `policy.topPercent` of `scores` (the Critical model's probabilities, in
 * the declarations' order) to `policy.lane`.
 *
 * Capacity. `selectForInspection` inspects every red raise, even beyond capacity: right for a
 * watchlist hit or a red rule, which are facts about the declaration, but a model's top band is
 * only a ranking, and letting it push inspections past capacity would make the capacity a lie.
 * So a red critical raise is given only while `redBudget` lasts: the capacity left once the
 * reserved random share (`randomReserve`), red rules and other red raises are counted
 * (`criticalBudget`). A declaration that is already mandatory costs nothing and is raised
 * anyway (the reason is still worth showing). Raised declarations then take capacity before the
 * Fraud model's picks, exactly as watchlist hits do. A lower lane costs no capacity and is not
 * budgeted.
 */
export function criticalRaiser(
  scores: ArrayLike<number>,
  policy: CriticalPolicy = DEFAULT_CRITICAL_POLICY,
  budget: CriticalRaiseBudget = { redBudget: Infinity },
): LaneRaiser {
  return {
    source: CRITICAL_SOURCE,
    raise(declarations: readonly Declaration[]): Promise<LaneRaise[][]> {
      return Promise.resolve(criticalRaises(declarations, scores, policy, budget));
    },
  };
}

/** What `criticalRaises` may spend: the red budget, and who is mandatory anyway (criticalBudget). */
export interface CriticalRaiseBudget {
  readonly redBudget: number;
  readonly mandatory?: readonly boolean[];
}

/**
 * The raises `criticalRaiser` answers, per declaration, computed synchronously: the band is a
 * ranking of numbers already in hand, with no I/O to wait for, so `planInspectionDay` (a pure
 * function) applies it directly rather than through the asynchronous LaneRaiser interface.
 */
export function criticalRaises(
  declarations: readonly Declaration[],
  scores: ArrayLike<number>,
  policy: CriticalPolicy = DEFAULT_CRITICAL_POLICY,
  budget: CriticalRaiseBudget = { redBudget: Infinity },
): LaneRaise[][] {
  if (scores.length !== declarations.length)
    throw new TargetingError('INVALID_ARGUMENT', 'declarations and critical scores differ');
  const out: LaneRaise[][] = declarations.map(() => []);
  if (declarations.length === 0) return out;
  const band = capacityFor(declarations.length, policy.topPercent);
  let left = policy.lane === 'red' ? Math.max(0, budget.redBudget) : Infinity;
  const ranked = rankByScore(scores);
  for (let k = 0; k < band && k < ranked.length; k++) {
    const i = ranked[k] as number;
    const p = scores[i] as number;
    if (!Number.isFinite(p)) continue;
    const free = budget.mandatory?.[i] === true;
    if (!free) {
      if (left <= 0) continue;
      left--;
    }
    out[i]?.push({
      source: CRITICAL_SOURCE,
      lane: policy.lane,
      reason: `Critical Fraud model: top ${policy.topPercent} % of the day (p = ${p.toFixed(2)})`,
    });
  }
  return out;
}
