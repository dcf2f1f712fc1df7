import { AnalyticsError } from './errors';
import { addMonths, monthsBetween, parseMonth, type Month } from './months';

/** One point of a monthly series, with the ids of the source rows that make it up. */
export interface SeriesPoint {
  readonly month: Month;
  readonly value: number;
  /** Source row ids (e.g. `file:line`) summed into this point: every figure is traceable. */
  readonly rowIds: readonly string[];
}

export interface MonthlySeries {
  /** What the series is of, e.g. `Fentanyl` or `SAN DIEGO FIELD OFFICE`. */
  readonly key: string;
  readonly points: readonly SeriesPoint[];
}

/**
 * Groups records into one monthly series per key, summing `value`. Months with no record inside
 * the series' span are filled with 0 (a month without seizures is a real zero in the CBP data,
 * whose rows only exist for months with events), so seasonal methods see a regular grid.
 */
export function monthlySeries<R>(
  records: Iterable<R>,
  by: {
    key: (r: R) => string;
    month: (r: R) => Month;
    value: (r: R) => number;
    rowId: (r: R) => string;
  },
  options: { fillGaps?: boolean } = {},
): MonthlySeries[] {
  const groups = new Map<string, Map<Month, { value: number; rowIds: string[] }>>();
  for (const r of records) {
    const key = by.key(r);
    const month = by.month(r);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map<Month, { value: number; rowIds: string[] }>()));
    let p = g.get(month);
    if (!p) g.set(month, (p = { value: 0, rowIds: [] }));
    p.value += by.value(r);
    p.rowIds.push(by.rowId(r));
  }
  const out: MonthlySeries[] = [];
  for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const months = [...g.keys()].sort();
    const points: SeriesPoint[] = [];
    if (options.fillGaps ?? true) {
      const first = months[0] as Month;
      const span = monthsBetween(first, months[months.length - 1] as Month);
      for (let i = 0; i <= span; i++) {
        const m = addMonths(first, i);
        const p = g.get(m);
        points.push({ month: m, value: p?.value ?? 0, rowIds: p?.rowIds ?? [] });
      }
    } else {
      for (const m of months) {
        const p = g.get(m) as { value: number; rowIds: string[] };
        points.push({ month: m, value: p.value, rowIds: p.rowIds });
      }
    }
    out.push({ key, points });
  }
  return out;
}

export interface YearOverYearPoint {
  readonly month: Month;
  readonly value: number;
  readonly previous: number | null;
  /** value − previous. */
  readonly change: number | null;
  /** (value − previous) / previous; null when the previous value is 0 or missing. */
  readonly changeRatio: number | null;
}

/** Each month against the same month a year earlier. */
export function yearOverYear(
  points: readonly { month: Month; value: number }[],
): YearOverYearPoint[] {
  const byMonth = new Map(points.map((p) => [p.month, p.value]));
  return points.map((p) => {
    const previous = byMonth.get(addMonths(p.month, -12)) ?? null;
    return {
      month: p.month,
      value: p.value,
      previous,
      change: previous === null ? null : p.value - previous,
      changeRatio: previous === null || previous === 0 ? null : (p.value - previous) / previous,
    };
  });
}

/** Sum of a series over each year (calendar, or fiscal when `fiscal` is true). */
export function annualTotals(
  points: readonly { month: Month; value: number }[],
  options: { fiscal?: boolean } = {},
): { year: number; value: number; months: number }[] {
  const years = new Map<number, { value: number; months: number }>();
  for (const p of points) {
    const { year, month } = parseMonth(p.month);
    const y = options.fiscal && month >= 10 ? year + 1 : year;
    const t = years.get(y) ?? { value: 0, months: 0 };
    t.value += p.value;
    t.months += 1;
    years.set(y, t);
  }
  return [...years].sort(([a], [b]) => a - b).map(([year, t]) => ({ year, ...t }));
}

export interface MixShare {
  readonly key: string;
  readonly value: number;
  /** value / total of all keys (0 when the total is 0). */
  readonly share: number;
}

/** Shares of a total by key (drug mix, regional shares), largest first. */
export function shares(values: Iterable<{ key: string; value: number }>): MixShare[] {
  const totals = new Map<string, number>();
  for (const v of values) totals.set(v.key, (totals.get(v.key) ?? 0) + v.value);
  const total = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals]
    .map(([key, value]) => ({ key, value, share: total === 0 ? 0 : value / total }))
    .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : 1));
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new AnalyticsError('INVALID_ARGUMENT', 'median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Least-squares line through (i, value) and the compound annual growth between the first and last
 * value: the "trend" the UNODC views show for a country and drug.
 */
export function linearTrend(values: readonly number[]): { slope: number; intercept: number } {
  const n = values.length;
  if (n === 0) throw new AnalyticsError('INVALID_ARGUMENT', 'trend of an empty series');
  if (n === 1) return { slope: 0, intercept: values[0] as number };
  const mx = (n - 1) / 2;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  values.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  });
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
