import { addMonths, annualTotals, monthsBetween, yearOverYear } from '@interdict/analytics';
import type { RowDataset } from '@interdict/store';
import { monthRowsHref, type LinkFilter } from './links';
import type { SeriesPoint, SeriesWithChange } from './views';

/** A point on the month grid, with the aggregate behind it when the month has rows. */
interface GridPoint<A> {
  month: string;
  value: number;
  rows: number;
  source?: A;
}

/** Series on a regular month grid (a month with no rows is a real zero in CBP's data). */
function gridSeries<A extends { key: string; month: string; rows: number }>(
  aggregates: readonly A[],
  value: (a: A) => number,
): Map<string, GridPoint<A>[]> {
  const out = new Map<string, GridPoint<A>[]>();
  const firstMonth = aggregates[0]?.month;
  if (firstMonth === undefined) return out;
  let lo = firstMonth;
  let hi = lo;
  for (const a of aggregates) {
    if (a.month < lo) lo = a.month;
    if (a.month > hi) hi = a.month;
  }
  const span = monthsBetween(lo, hi);
  const byKey = new Map<string, Map<string, A>>();
  for (const a of aggregates) {
    const m = byKey.get(a.key) ?? new Map<string, A>();
    m.set(a.month, a);
    byKey.set(a.key, m);
  }
  for (const [key, months] of byKey) {
    const points: GridPoint<A>[] = [];
    for (let i = 0; i <= span; i++) {
      const month = addMonths(lo, i);
      const a = months.get(month);
      points.push(
        a ? { month, value: value(a), rows: a.rows, source: a } : { month, value: 0, rows: 0 },
      );
    }
    out.set(key, points);
  }
  return out;
}

/**
 * One monthly series per group value, each point linked to its source rows. A series' key is a
 * value of the filter field named like the group (`total` has none), so a point's rows are the
 * view's filter narrowed to that value. `extra` adds a dataset's own fields after `value`.
 */
export function linkedSeries<
  A extends { key: string; month: string; rows: number },
  X extends object,
>(
  dataset: RowDataset,
  aggregates: readonly A[],
  view: { group: string; filter: LinkFilter },
  value: (a: A) => number,
  extra: (a: A | undefined) => X,
): { key: string; points: (SeriesPoint & X)[] }[] {
  const field = view.group === 'total' ? undefined : view.group;
  return [...gridSeries(aggregates, value)].map(([key, points]) => ({
    key,
    points: points.map((p) => ({
      month: p.month,
      value: p.value,
      ...extra(p.source),
      rows: p.rows,
      rowsHref: monthRowsHref(dataset, view.filter, field, key, p.month),
    })),
  }));
}

/** A series with its change on the same month a year before and its (fiscal) year totals. */
export function withChange<P extends SeriesPoint>(
  s: { key: string; points: P[] },
  options?: { fiscal: boolean },
): SeriesWithChange<P> {
  return {
    ...s,
    yearOverYear: yearOverYear(s.points).map((y) => ({
      month: y.month,
      changeRatio: y.changeRatio,
    })),
    annual: annualTotals(s.points, options),
  };
}
