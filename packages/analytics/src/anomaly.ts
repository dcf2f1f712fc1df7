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
 * of loess so single outliers do not bend it: the level is a centred 13-month running median
 * (shrunk at the edges), the seasonal effect of each calendar month is the median of its
 * detrended values across years (centred to sum to zero), and each month's residual is scored
 * against the median absolute deviation of all residuals.
 */
export function robustSeasonalBaseline(
  points: readonly { month: Month; value: number }[],
  options: { window?: number } = {},
): BaselinePoint[] {
  const n = points.length;
  if (n === 0) return [];
  const half = Math.floor((options.window ?? 13) / 2);
  const values = points.map((p) => p.value);
  const level = values.map((_, i) =>
    median(values.slice(Math.max(0, i - half), Math.min(n, i + half + 1))),
  );
  const detrended = values.map((v, i) => v - (level[i] as number));
  const byCalendarMonth = new Map<number, number[]>();
  points.forEach((p, i) => {
    const m = parseMonth(p.month).month;
    const list = byCalendarMonth.get(m) ?? [];
    list.push(detrended[i] as number);
    byCalendarMonth.set(m, list);
  });
  // Seasonal effects need at least two years per calendar month to mean anything.
  const seasonal = new Map<number, number>();
  for (const [m, list] of byCalendarMonth) seasonal.set(m, list.length >= 2 ? median(list) : 0);
  const meanSeasonal =
    [...seasonal.values()].reduce((a, b) => a + b, 0) / Math.max(1, seasonal.size);
  const expected = points.map(
    (p, i) => (level[i] as number) + (seasonal.get(parseMonth(p.month).month) ?? 0) - meanSeasonal,
  );
  const residuals = values.map((v, i) => v - (expected[i] as number));
  const centre = median(residuals);
  const mad = median(residuals.map((r) => Math.abs(r - centre)));
  // A MAD of zero (most residuals identical) falls back to the mean absolute deviation, so a
  // lone spike in an otherwise flat series still gets a finite, large score.
  const meanAbs = residuals.reduce((a, r) => a + Math.abs(r - centre), 0) / n;
  const scale = mad > 0 ? MAD_TO_SIGMA * mad : meanAbs > 0 ? 1.2533 * meanAbs : 1;
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
