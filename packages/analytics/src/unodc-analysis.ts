import { linearTrend, shares, type MixShare } from './series';

export interface CountryTotal {
  readonly countryCode: string;
  readonly country: string;
  readonly region: string;
  readonly drug: string;
  readonly year: number;
  readonly kilograms: number;
  /** Source rows summed (UNODC repeats are separate quantities: summed, never deduplicated). */
  readonly rowIds: readonly string[];
}

type UnodcLike = {
  countryCode: string;
  country: string;
  region: string;
  drugSubGroup: string;
  year: number;
  kilograms: number | null;
  id: string;
};

/** Kilograms by country, drug (DrugSubGroup, e.g. `Cocaine`) and year, every row summed. */
export function unodcCountryTotals(rows: Iterable<UnodcLike>): CountryTotal[] {
  const totals = new Map<
    string,
    { t: Omit<CountryTotal, 'rowIds' | 'kilograms'>; kg: number; ids: string[] }
  >();
  for (const r of rows) {
    if (r.kilograms === null) continue;
    const k = `${r.countryCode}|${r.drugSubGroup}|${r.year}`;
    let e = totals.get(k);
    if (!e) {
      e = {
        t: {
          countryCode: r.countryCode,
          country: r.country,
          region: r.region,
          drug: r.drugSubGroup,
          year: r.year,
        },
        kg: 0,
        ids: [],
      };
      totals.set(k, e);
    }
    e.kg += r.kilograms;
    e.ids.push(r.id);
  }
  return [...totals.values()]
    .map((e) => ({ ...e.t, kilograms: e.kg, rowIds: e.ids }))
    .sort(
      (a, b) =>
        a.countryCode.localeCompare(b.countryCode) ||
        a.drug.localeCompare(b.drug) ||
        a.year - b.year,
    );
}

/** Each region's share of the world total for one drug and year. */
export function regionalShares(
  totals: readonly CountryTotal[],
  drug: string,
  year: number,
): MixShare[] {
  return shares(
    totals
      .filter((t) => t.drug === drug && t.year === year)
      .map((t) => ({ key: t.region, value: t.kilograms })),
  );
}

export interface Trend {
  readonly key: string;
  readonly first: { year: number; value: number };
  readonly last: { year: number; value: number };
  /** Least-squares slope, in units per year. */
  readonly slopePerYear: number;
  /** Compound annual growth rate first → last (null when the first value is 0). */
  readonly cagr: number | null;
}

/** Trend of a yearly series (missing years count as zero between the first and last year). */
export function yearlyTrend(
  key: string,
  values: readonly { year: number; value: number }[],
): Trend | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a.year - b.year);
  const first = sorted[0] as { year: number; value: number };
  const last = sorted[sorted.length - 1] as { year: number; value: number };
  const byYear = new Map(sorted.map((v) => [v.year, v.value]));
  const grid: number[] = [];
  for (let y = first.year; y <= last.year; y++) grid.push(byYear.get(y) ?? 0);
  const span = last.year - first.year;
  return {
    key,
    first,
    last,
    slopePerYear: linearTrend(grid).slope,
    cagr: first.value > 0 && span > 0 ? Math.pow(last.value / first.value, 1 / span) - 1 : null,
  };
}
