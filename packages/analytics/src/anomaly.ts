import { AnalyticsError } from './errors';
import { median } from './series';
import { parseMonth, type Month } from './months';

export interface UnusualMonth {
  readonly month: Month;
  readonly value: number;
  /** What the month would be expected to hold: trend level + seasonal effect. */
  readonly expected: number;
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
  const n = points.length;
  if (n === 0) return [];
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
  return points.map((p, i) => ({
    month: p.month,
    value: p.value,
    expected: expected[i] as number,
    residual: residuals[i] as number,
    score: ((residuals[i] as number) - centre) / scale,
  }));
}

/** Months whose robust z-score is at least `threshold` (default 3.5, Iglewicz & Hoaglin 1993). */
export function unusualMonths(
  points: readonly { month: Month; value: number }[],
  options: { threshold?: number; window?: number } = {},
): UnusualMonth[] {
  const threshold = options.threshold ?? 3.5;
  if (!(threshold > 0)) throw new AnalyticsError('INVALID_ARGUMENT', 'threshold must be positive');
  return robustSeasonalBaseline(points, options)
    .filter((b) => Math.abs(b.score) >= threshold)
    .map((b) => {
      const a = Math.abs(b.score);
      return {
        month: b.month,
        value: b.value,
        expected: b.expected,
        score: b.score,
        direction: b.score > 0 ? 'high' : 'low',
        severity: a >= 2 * threshold ? 'extreme' : a >= 1.5 * threshold ? 'strong' : 'notable',
      };
    });
}
