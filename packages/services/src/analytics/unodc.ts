import { regionalShares, yearlyTrend } from '@interdict/analytics';
import type { AnalyticsRepository } from '@interdict/store';
import { rowsHref } from './links';
import type { UnodcQuery, UnodcSharesQuery } from './queries';
import type { CountryTrend, UnodcSharesView, UnodcTotalsView, UnodcTrendsView } from './views';

// The UNODC views: kilograms by country, drug and year; regional shares; trends per country.
// UNODC repeats a key for separate quantities, so rows are summed, never deduplicated.

/** The drug a trend is drawn for when none is asked for. */
const DEFAULT_TREND_DRUG = 'Cocaine';

export async function unodcTotalsView(
  repo: AnalyticsRepository,
  q: UnodcQuery,
): Promise<UnodcTotalsView> {
  const items = (
    await repo.unodcTotals({
      drug: q.drug,
      drugGroup: q.drugGroup,
      region: q.region,
      country: q.country,
      year: q.year,
      from: q.from,
      to: q.to,
    })
  ).map((t) => ({
    ...t,
    rowsHref: rowsHref('unodc-seizures', {
      drug: t.drug,
      drugGroup: q.drugGroup,
      country: t.countryCode,
      year: t.year,
    }),
  }));
  const world = new Map<number, number>();
  for (const t of items) world.set(t.year, (world.get(t.year) ?? 0) + t.kilograms);
  return {
    items,
    world: [...world].sort(([a], [b]) => a - b).map(([year, kilograms]) => ({ year, kilograms })),
  };
}

export async function unodcSharesView(
  repo: AnalyticsRepository,
  q: UnodcSharesQuery,
): Promise<UnodcSharesView> {
  const totals = await repo.unodcTotals({ drug: q.drug, year: q.year });
  const year = q.year ?? totals.reduce((m, t) => Math.max(m, t.year), 0);
  const items = regionalShares(
    totals.map((t) => ({ ...t, rowIds: [] })),
    q.drug,
    year,
  ).map((s) => ({
    region: s.key,
    kilograms: s.value,
    share: s.share,
    rowsHref: rowsHref('unodc-seizures', { drug: q.drug, region: s.key, year }),
  }));
  return { drug: q.drug, year, items };
}

export async function unodcTrendsView(
  repo: AnalyticsRepository,
  q: UnodcQuery,
): Promise<UnodcTrendsView> {
  const drug = q.drug ?? DEFAULT_TREND_DRUG;
  const totals = await repo.unodcTotals({ drug, region: q.region, from: q.from, to: q.to });
  const byCountry = new Map<string, { name: string; values: { year: number; value: number }[] }>();
  for (const t of totals) {
    const e = byCountry.get(t.countryCode) ?? { name: t.country, values: [] };
    e.values.push({ year: t.year, value: t.kilograms });
    byCountry.set(t.countryCode, e);
  }
  const items = [...byCountry]
    .flatMap(([code, e]): CountryTrend[] => {
      const trend = yearlyTrend(code, e.values);
      return trend
        ? [
            {
              countryCode: code,
              country: e.name,
              firstYear: trend.first.year,
              firstKilograms: trend.first.value,
              lastYear: trend.last.year,
              lastKilograms: trend.last.value,
              slopePerYear: trend.slopePerYear,
              cagr: trend.cagr,
              rowsHref: rowsHref('unodc-seizures', { drug, country: code }),
            },
          ]
        : [];
    })
    .sort((a, b) => b.slopePerYear - a.slopePerYear);
  return { drug, items };
}
