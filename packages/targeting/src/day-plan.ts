import { criticalBudget, criticalRaises, type CriticalPolicy } from './critical';
import type { Declaration } from './declarations';
import { selectForInspection, type Lane, type Selected, type SelectionOptions } from './selection';

/**
 * A day's inspection plan, made once for every caller: the store's `scoreTargetingDay` (a stored
 * day) and the CLI's `target score` (a file, taken as one day) used to rebuild the same pipeline
 * each on its own, and had to be kept in step by hand. Pure: it takes what the callers have
 * already computed (the models' probabilities, the rules in force, the lane raises their I/O
 * found) and returns values; storing or printing the plan stays with them.
 */
export interface InspectionDayInput extends Pick<
  SelectionOptions,
  'capacity' | 'randomShare' | 'seed' | 'rules' | 'bands'
> {
  /** The day's declarations. */
  readonly declarations: readonly Declaration[];
  /** The Fraud model's probability of each declaration, in the same order. */
  readonly scores: ArrayLike<number>;
  /**
   * Lane raises per declaration found before planning (watchlist hits, later intelligence), from
   * `collectLaneRaises`; not changed (the Critical band's raises are added to a copy).
   */
  readonly raises?: SelectionOptions['raises'];
  /**
   * The Critical Fraud model's probabilities, in the same order, and which top band of them is
   * raised to what lane, when the day was scored with a Critical model too.
   */
  readonly critical?:
    { readonly scores: ArrayLike<number>; readonly policy: CriticalPolicy } | undefined;
  /**
   * The model's reasons for declaration `index` (TreeSHAP feature contributions, as text). Asked
   * only for declarations not released green: an exact explanation costs far more than a score,
   * and a green declaration is released without one.
   */
  readonly modelReasons?: ((index: number) => readonly string[]) | undefined;
  /**
   * Called as reasons are gathered, once the selection is made: before declarations 0, 500, 1000,
   * … and once at the end.
   */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** One declaration of the plan: its lane, whether and why it is inspected, and every reason. */
export interface PlannedDeclaration extends Selected {
  /** The Critical model's probability, when one scored the day; null otherwise. */
  readonly criticalScore: number | null;
  /**
   * What the officer is shown, in this order: the raises' reasons (watchlist hits, the Critical
   * band), the rules' explanations, "random inspection" for a random pick, then the model's
   * reasons unless the declaration is released green.
   */
  readonly reasons: string[];
}

export interface InspectionDayPlan {
  /** In the order of `declarations`. */
  readonly declarations: PlannedDeclaration[];
  readonly lanes: Record<Lane, number>;
  /** Declarations raised by the Critical model's top band (0 without a Critical model). */
  readonly criticalRaised: number;
}

/**
 * Plans a day's inspections:
 * 1. the Critical band, when a Critical model scored the day: its top `policy.topPercent` is
 *    raised, a red band only within the red budget that the reserved random share, red rules
 *    and red raises leave (`criticalBudget`, `criticalRaises`: a ranking must not push
 *    inspections past capacity, see critical.ts);
 * 2. the selection (`selectForInspection`): the random share reserved first, red rules and red
 *    raises inspected even beyond capacity, the Fraud model's top scores in what is left; lanes
 *    are the highest of score band, rules and raises, red for everything picked;
 * 3. each declaration's reasons (PlannedDeclaration.reasons).
 * A bad random share or capacity is refused with the TargetingError the steps raise.
 */
export function planInspectionDay(input: InspectionDayInput): InspectionDayPlan {
  const { declarations, critical } = input;
  const selection: SelectionOptions = {
    capacity: input.capacity,
    randomShare: input.randomShare,
    seed: input.seed,
    rules: input.rules,
    bands: input.bands,
    raises: input.raises,
  };
  let raises = input.raises;
  let criticalRaised = 0;
  if (critical) {
    // The budget is worked out from the raises found so far, before the band's own are added.
    const band = criticalRaises(
      declarations,
      critical.scores,
      critical.policy,
      criticalBudget(declarations, selection),
    );
    // After the earlier raises, so a watchlist hit's reason comes before the band's.
    raises = band.map((r, i) => [...(input.raises?.[i] ?? []), ...r]);
    criticalRaised = band.filter((r) => r.length > 0).length;
  }
  const picked = selectForInspection(declarations, input.scores, { ...selection, raises });
  const lanes: Record<Lane, number> = { red: 0, yellow: 0, blue: 0, green: 0 };
  const total = picked.length;
  const planned = picked.map((p, i): PlannedDeclaration => {
    if (i % 500 === 0) input.onProgress?.(i, total);
    lanes[p.lane]++;
    const reasons = [
      ...p.raises.map((r) => r.reason),
      ...p.ruleReasons,
      ...(p.selectedBy === 'random' ? ['random inspection'] : []),
      ...(p.lane === 'green' || !input.modelReasons ? [] : input.modelReasons(p.index)),
    ];
    return {
      ...p,
      criticalScore: critical ? (critical.scores[p.index] as number) : null,
      reasons,
    };
  });
  input.onProgress?.(total, total);
  return { declarations: planned, lanes, criticalRaised };
}
