import { AnalyticsError } from './errors';
import { median } from './series';
import { parseMonth, type Month } from './months';

export interface UnusualMonth {
  readonly month: Month;
  readonly value: number;
  /** What the month would be expected to hold: trend level + seasonal effect. */
  readonly expected: number;
  /** value − expected, in the series' unit: how far off the month is. */
  readonly gap: number;
  /** value ÷ expected; null when nothing (or less) was expected, where a ratio means nothing. */
  readonly ratio: number | null;
  /**
   * The values the month could have held without reaching the threshold: expected + centre ±
   * threshold · spread (the centre is the median residual, usually close to 0). Not clamped: a
   * negative low end says that no value, however small, would have been unusually low.
   */
  readonly usualLow: number;
  readonly usualHigh: number;
  /** The series' robust standard deviation of residuals, the unit of `score`. */
  readonly spread: number;
  /** Robust z-score of the residual: (residual − median) / (1.4826 · MAD). */
  readonly score: number;
  readonly direction: 'high' | 'low';
  /** `notable` from |z| ≥ threshold, `strong` from 1.5×, `extreme` from 2× the threshold. */
  readonly severity: 'notable' | 'strong' | 'extreme';
}

export interface BaselinePoint {
  readonly month: Month;
  readonly value: number;
  readonly expected: number;
  readonly residual: number;
  readonly score: number;
}

/** 1.4826 · MAD estimates σ for normal data (Rousseeuw & Croux 1993). */
const MAD_TO_SIGMA = 1.4826;

/**
 * A robust seasonal baseline in the spirit of STL (Cleveland et al. 1990), with medians in place
 * of loess so single outliers do not bend it. Like STL's inner loop it alternates: the seasonal
 * effect of each calendar month is the median of its de-levelled values across years (centred
 * to sum to zero); the level is a 13-month running median of the de-seasonalised values (the
 * season removed first, so the median is not biased by where in the year the window sits; kept
 * full width at the ends). Each month's residual is scored against the median absolute
 * deviation of all residuals.
 */
export function robustSeasonalBaseline(
  points: readonly { month: Month; value: number }[],
  options: { window?: number; iterations?: number } = {},
): BaselinePoint[] {
  return fitBaseline(points, options).points;
}

interface BaselineFit {
  readonly points: BaselinePoint[];
  /** Median residual: where a score of 0 sits. */
  readonly centre: number;
  /** Robust standard deviation of the residuals: the unit of the scores. */
  readonly spread: number;
}

function fitBaseline(
  points: readonly { month: Month; value: number }[],
  options: { window?: number; iterations?: number },
): BaselineFit {
  const n = points.length;
  if (n === 0) return { points: [], centre: 0, spread: 1 };
  const width = Math.min(options.window ?? 13, n);
  const half = Math.floor(width / 2);
  const values = points.map((p) => p.value);
  const calendarMonth = points.map((p) => parseMonth(p.month).month);

  const seasonalOf = (level: readonly number[]): Map<number, number> => {
    const byMonth = new Map<number, number[]>();
    values.forEach((v, i) => {
      const m = calendarMonth[i] as number;
      const list = byMonth.get(m) ?? [];
      list.push(v - (level[i] as number));
      byMonth.set(m, list);
    });
    // Seasonal effects need at least two years per calendar month to mean anything.
    const effects = new Map<number, number>();
    for (const [m, list] of byMonth) effects.set(m, list.length >= 2 ? median(list) : 0);
    const mean = [...effects.values()].reduce((a, b) => a + b, 0) / Math.max(1, effects.size);
    for (const [m, e] of effects) effects.set(m, e - mean);
    return effects;
  };
  const levelOf = (seasonal: Map<number, number>): number[] => {
    const adjusted = values.map((v, i) => v - (seasonal.get(calendarMonth[i] as number) ?? 0));
    return adjusted.map((_, i) => {
      const lo = Math.max(0, Math.min(i - half, n - width));
      return median(adjusted.slice(lo, lo + width));
    });
  };

  const flat = median(values);
  let seasonal = seasonalOf(values.map(() => flat));
  let level = levelOf(seasonal);
  for (let k = 0; k < (options.iterations ?? 2); k++) {
    seasonal = seasonalOf(level);
    level = levelOf(seasonal);
  }
  const expected = values.map(
    (_, i) => (level[i] as number) + (seasonal.get(calendarMonth[i] as number) ?? 0),
  );
  const residuals = values.map((v, i) => v - (expected[i] as number));
  const centre = median(residuals);
  const mad = median(residuals.map((r) => Math.abs(r - centre)));
  // A MAD of (nearly) zero — most residuals identical, as in a run of zero-seizure months, or
  // equal up to rounding — falls back to the mean absolute deviation, so a lone spike in an
  // otherwise flat series still gets a finite, large score instead of an astronomical one.
  const tiny = 1e-9 * Math.max(1, ...values.map((v) => Math.abs(v)));
  const meanAbs = residuals.reduce((a, r) => a + Math.abs(r - centre), 0) / n;
  const scale = mad > tiny ? MAD_TO_SIGMA * mad : meanAbs > tiny ? 1.2533 * meanAbs : 1;
  return {
    points: points.map((p, i) => ({
      month: p.month,
      value: p.value,
      expected: expected[i] as number,
      residual: residuals[i] as number,
      score: ((residuals[i] as number) - centre) / scale,
    })),
    centre,
    spread: scale,
  };
}

/** Options of the unusual-month tests (see {@link unusualMonthsAcross} for the rule). */
export interface UnusualMonthOptions {
  /** Robust z-score from which a month is unusual (default 3.5, Iglewicz & Hoaglin 1993). */
  readonly threshold?: number;
  /** Width of the running-median level in months (default 13). */
  readonly window?: number;
  /** The smallest |value − expected| that counts, in the series' unit (default 0 per series). */
  readonly minimum?: number;
}

function checkedThreshold(threshold: number): number {
  if (!(threshold > 0)) throw new AnalyticsError('INVALID_ARGUMENT', 'threshold must be positive');
  return threshold;
}

function checkedMinimum(minimum: number): number {
  if (!(minimum >= 0) || !Number.isFinite(minimum)) {
    throw new AnalyticsError('INVALID_ARGUMENT', 'minimum must be a finite number ≥ 0');
  }
  return minimum;
}

/** Each month of one series with both tests' figures, flagged or not. */
function scoredMonths(
  points: readonly { month: Month; value: number }[],
  threshold: number,
  window: number | undefined,
): (UnusualMonth & { unusual: boolean })[] {
  const fit = fitBaseline(points, window === undefined ? {} : { window });
  const band = threshold * fit.spread;
  return fit.points.map((b) => {
    const a = Math.abs(b.score);
    return {
      month: b.month,
      value: b.value,
      expected: b.expected,
      gap: b.value - b.expected,
      ratio: b.expected > 0 ? b.value / b.expected : null,
      usualLow: b.expected + fit.centre - band,
      usualHigh: b.expected + fit.centre + band,
      spread: fit.spread,
      score: b.score,
      direction: b.score > 0 ? 'high' : 'low',
      severity: a >= 2 * threshold ? 'extreme' : a >= 1.5 * threshold ? 'strong' : 'notable',
      unusual: a >= threshold,
    };
  });
}

function withoutFlag({ unusual: _unusual, ...month }: UnusualMonth & { unusual: boolean }) {
  return month;
}

/**
 * Months of one series whose robust z-score is at least `threshold` and whose gap from the
 * expected value is at least `minimum` (in the series' unit; 0 unless given). One series alone
 * cannot tell whether its volume matters: {@link unusualMonthsAcross} sets the minimum from the
 * whole view.
 */
export function unusualMonths(
  points: readonly { month: Month; value: number }[],
  options: UnusualMonthOptions = {},
): UnusualMonth[] {
  const threshold = checkedThreshold(options.threshold ?? 3.5);
  const minimum = checkedMinimum(options.minimum ?? 0);
  return scoredMonths(points, threshold, options.window)
    .filter((m) => m.unusual && Math.abs(m.gap) >= minimum)
    .map(withoutFlag);
}

/** The default minimum: this share of the view's typical monthly total (see below). */
export const DEFAULT_MINIMUM_SHARE = 0.01;

export interface UnusualMonthsReport {
  readonly threshold: number;
  /** The smallest |value − expected| that counted, in the series' unit. */
  readonly minimum: number;
  /** Where the minimum came from: the caller, or a share of the view's typical monthly total. */
  readonly minimumRule:
    | { readonly kind: 'given' }
    | { readonly kind: 'share-of-view'; readonly share: number; readonly typicalTotal: number };
  /** Months that passed the score test but fell short of the minimum (left out of `items`). */
  readonly belowMinimum: number;
  /** The flagged months, most unusual (largest |score|) first. */
  readonly items: (UnusualMonth & { readonly key: string })[];
}

/**
 * Unusual months in the series of one view (one per drug, region, field office, …), by a rule
 * with two tests, both of which a month must pass:
 *
 * 1. It is far from what its own series leads one to expect: its robust z-score against the
 *    series' seasonal baseline ({@link robustSeasonalBaseline}) is at least `threshold`.
 * 2. The departure is large enough to matter in the view: |value − expected| is at least
 *    `minimum`, in the series' unit.
 *
 * The first test alone is scale-free, and that is its flaw here: a series that usually moves by
 * half a pound (CBP's LSD, weighed in doses) scores a 30 lb month as high as marijuana scores a
 * 40,000 lb one, so the smallest series, where a single seizure swings the month, fill the list.
 * Statistical significance is not practical significance: the second test is the materiality
 * threshold of auditing, a small share of the whole below which a difference cannot change what
 * the reader concludes. By default the minimum is {@link DEFAULT_MINIMUM_SHARE} (1%) of the
 * view's typical monthly total — the median over months of the sum of all its series — so it
 * is in the view's own unit (pounds or events), follows its filters (a view of the Northern
 * Border alone has a smaller total, and a smaller minimum), and a series that is the whole view
 * is judged at its own scale. A caller may give the minimum instead.
 */
export function unusualMonthsAcross(
  series: readonly { key: string; points: readonly { month: Month; value: number }[] }[],
  options: UnusualMonthOptions & { minimumShare?: number } = {},
): UnusualMonthsReport {
  const threshold = checkedThreshold(options.threshold ?? 3.5);
  let minimum: number;
  let minimumRule: UnusualMonthsReport['minimumRule'];
  if (options.minimum !== undefined) {
    minimum = checkedMinimum(options.minimum);
    minimumRule = { kind: 'given' };
  } else {
    const share = options.minimumShare ?? DEFAULT_MINIMUM_SHARE;
    if (!(share >= 0 && share < 1)) {
      throw new AnalyticsError('INVALID_ARGUMENT', 'minimumShare must be in [0, 1)');
    }
    const totals = new Map<Month, number>();
    for (const s of series) {
      for (const p of s.points) totals.set(p.month, (totals.get(p.month) ?? 0) + p.value);
    }
    const typicalTotal = totals.size === 0 ? 0 : Math.max(0, median([...totals.values()]));
    minimum = share * typicalTotal;
    minimumRule = { kind: 'share-of-view', share, typicalTotal };
  }
  let belowMinimum = 0;
  const items: (UnusualMonth & { key: string })[] = [];
  for (const s of series) {
    for (const m of scoredMonths(s.points, threshold, options.window)) {
      if (!m.unusual) continue;
      if (Math.abs(m.gap) < minimum) belowMinimum += 1;
      else items.push({ key: s.key, ...withoutFlag(m) });
    }
  }
  items.sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
  return { threshold, minimum, minimumRule, belowMinimum, items };
}
