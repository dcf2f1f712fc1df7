import type { Declaration } from './declarations';
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
}

export type SelectionReason = 'model' | 'random' | 'rule';

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
}

/**
 * Ranks a day's declarations and picks those to inspect: red rules first, then the model's top
 * scores, with `randomShare` of the capacity drawn uniformly from the rest. Everything picked is
 * red; the others take the higher of their score band and their rules' lanes.
 */
export function selectForInspection(
  declarations: readonly Declaration[],
  scores: ArrayLike<number>,
  options: SelectionOptions,
): Selected[] {
  if (declarations.length !== scores.length)
    throw new TargetingError('INVALID_ARGUMENT', 'declarations and scores differ in length');
  const n = declarations.length;
  const capacity =
    'percent' in options.capacity
      ? capacityFor(n, options.capacity.percent)
      : Math.max(0, Math.floor(options.capacity.count));
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
  const selectedBy: (SelectionReason | null)[] = new Array<SelectionReason | null>(n).fill(null);
  let used = 0;
  // Red rules are mandatory: they are inspected even beyond capacity.
  for (let i = 0; i < n; i++) {
    if (ruleLane[i] === 'red') {
      selectedBy[i] = 'rule';
      used++;
    }
  }
  const remaining = Math.max(0, capacity - used);
  const randomCount = Math.min(remaining, Math.round(remaining * randomShare));
  let modelCount = remaining - randomCount;
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
      lane: by ? 'red' : higherLane(band, ruleLane[i] as Lane),
      inspect: by !== null,
      selectedBy: by,
      ruleReasons: ruleReasons[i] ?? [],
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
