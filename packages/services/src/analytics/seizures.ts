import {
  forecastSeries,
  REGION_BORDER,
  robustSeasonalBaseline,
  seizuresPerTraffic,
  shares,
  TRAFFIC_UNITS,
  unusualMonthsAcross,
  PORT_SEIZURES,
} from '@interdict/analytics';
import type {
  AnalyticsRepository,
  SeizureAggregate,
  SeizureFilter,
  TrafficAreas,
} from '@interdict/store';
import { monthRowsHref, rowsHref } from './links';
import type {
  DrugMixQuery,
  ForecastQuery,
  SeizureRatesQuery,
  SeizureSeriesQuery,
  UnusualMonthsQuery,
} from './queries';
import { linkedSeries, withChange } from './series';
import type {
  DrugMixView,
  DrugShare,
  ForecastView,
  SeizurePoint,
  SeizureRatesView,
  SeriesView,
  UnusualMonthsView,
} from './views';

// The CBP seizure views: monthly series, drug mix, seizures per unit of traffic, unusual months
// and forecasts. Only the effective rows are read (a later release withdraws an earlier one's).

/** What the seizure views read: the repository, and the ports' field offices (cached). */
export interface SeizureSources {
  readonly repo: AnalyticsRepository;
  /** Each land port's OFO field office, as traffic areas over `port_code`. */
  fieldOfficeAreas(): Promise<TrafficAreas>;
}

/** The filter fields of a query, and nothing else (they become the figures' row links). */
function seizureFilter(q: SeizureFilter): SeizureFilter {
  return {
    drug: q.drug,
    region: q.region,
    component: q.component,
    aor: q.aor,
    landFilter: q.landFilter,
    from: q.from,
    to: q.to,
  };
}

/** The series behind the series, unusual-months and forecast views (without change columns). */
async function seizureSeries(
  repo: AnalyticsRepository,
  q: SeizureSeriesQuery,
): Promise<{ key: string; points: SeizurePoint[] }[]> {
  const filter = seizureFilter(q);
  const aggregates = await repo.seizureSeries(q.group, filter);
  return linkedSeries<SeizureAggregate, { events: number; pounds: number }>(
    'cbp-seizures',
    aggregates,
    { group: q.group, filter: { ...filter } },
    (a) => (q.metric === 'events' ? a.events : a.pounds),
    (a) => ({ events: a?.events ?? 0, pounds: a?.pounds ?? 0 }),
  );
}

export async function seizureSeriesView(
  repo: AnalyticsRepository,
  q: SeizureSeriesQuery,
): Promise<SeriesView> {
  const series = (await seizureSeries(repo, q)).map((s) => withChange(s, { fiscal: true }));
  return { group: q.group, metric: q.metric, series };
}

export async function drugMixView(
  repo: AnalyticsRepository,
  q: DrugMixQuery,
): Promise<DrugMixView> {
  const filter = seizureFilter(q);
  if (q.fiscalYear !== undefined) {
    // A US federal fiscal year runs from October to September.
    filter.from = `${q.fiscalYear - 1}-10`;
    filter.to = `${q.fiscalYear}-09`;
  }
  const aggregates = await repo.seizureSeries('drug', filter);
  const byDrug = new Map<string, { events: number; pounds: number; rows: number }>();
  for (const a of aggregates) {
    const t = byDrug.get(a.key) ?? { events: 0, pounds: 0, rows: 0 };
    t.events += a.events;
    t.pounds += a.pounds;
    t.rows += a.rows;
    byDrug.set(a.key, t);
  }
  const poundShares = shares([...byDrug].map(([key, t]) => ({ key, value: t.pounds })));
  const eventTotal = [...byDrug.values()].reduce((s, t) => s + t.events, 0);
  const items = poundShares.flatMap((s): DrugShare[] => {
    const t = byDrug.get(s.key);
    if (!t) return [];
    return [
      {
        drug: s.key,
        pounds: t.pounds,
        poundsShare: s.share,
        events: t.events,
        eventsShare: eventTotal === 0 ? 0 : t.events / eventTotal,
        rows: t.rows,
        rowsHref: rowsHref('cbp-seizures', { ...filter, drug: s.key }),
      },
    ];
  });
  return { from: filter.from ?? null, to: filter.to ?? null, items };
}

/** Border → CBP region, for traffic by region (US-Mexico ↔ Southwest Border, …). */
const REGION_AREAS: TrafficAreas = {
  column: 'border',
  areaOf: new Map(Object.entries(REGION_BORDER).map(([region, border]) => [border, region])),
};

export async function seizureRatesView(
  sources: SeizureSources,
  q: SeizureRatesQuery,
): Promise<SeizureRatesView> {
  const { repo } = sources;
  // Without a start, begin where the seizure data begins: earlier traffic has nothing to pair.
  const from = q.from ?? (await repo.seizureMonths())?.[0];
  const areas = q.area === 'region' ? REGION_AREAS : await sources.fieldOfficeAreas();
  const traffic = await repo.trafficByArea(areas, TRAFFIC_UNITS[q.unit], { from, to: q.to });
  // Only the seizures that port traffic can be set against (PORT_SEIZURES): land seizures (a
  // field office's airport and mail seizures have no land traffic to divide by) by the Office of
  // Field Operations at the ports; Border Patrol's between the ports crossed no port.
  const landOnly = { drug: q.drug, from: q.from, to: q.to, ...PORT_SEIZURES };
  const areaField = q.area === 'region' ? 'region' : 'aor';
  const seizures = await repo.seizureSeries(areaField, landOnly);
  const rates = seizuresPerTraffic(
    seizures.map((s) => ({ area: s.key, month: s.month, events: s.events, pounds: s.pounds })),
    traffic.map((t) => ({ area: t.key, month: t.month, value: t.value })),
  ).map((r) => ({
    ...r,
    unit: q.unit,
    rowsHref: monthRowsHref('cbp-seizures', landOnly, areaField, r.area, r.month),
    trafficHref: rowsHref('bts-crossings', {
      ...(q.area === 'region'
        ? { border: r.area === 'Southwest Border' ? 'US-Mexico Border' : 'US-Canada Border' }
        : {}),
      month: r.month,
    }),
  }));
  // Periods with seizure data only: traffic runs to 2025-02, CBP from FY2019.
  const covered =
    seizures.length === 0
      ? rates
      : rates.filter(
          (r) => r.month >= seizures.reduce((m, s) => (s.month < m ? s.month : m), '9999-12'),
        );
  return {
    unit: q.unit,
    area: q.area,
    measures: TRAFFIC_UNITS[q.unit],
    components: [PORT_SEIZURES.component],
    items: covered,
  };
}

export async function unusualMonthsView(
  repo: AnalyticsRepository,
  q: UnusualMonthsQuery,
): Promise<UnusualMonthsView> {
  const series = await seizureSeries(repo, q);
  // Both tests of unusualMonthsAcross: far from the series' own baseline, and a gap material in
  // the view (by default 1% of its typical monthly total), most unusual first.
  const report = unusualMonthsAcross(series, {
    threshold: q.threshold,
    ...(q.minimum !== undefined ? { minimum: q.minimum } : {}),
  });
  const points = new Map(series.map((s) => [s.key, new Map(s.points.map((p) => [p.month, p]))]));
  const flagged = report.items.map((u) => {
    const p = points.get(u.key)?.get(u.month);
    return { ...u, rows: p?.rows ?? 0, rowsHref: p?.rowsHref ?? '' };
  });
  return {
    group: q.group,
    metric: q.metric,
    threshold: q.threshold,
    minimum: report.minimum,
    minimumRule: report.minimumRule,
    belowMinimum: report.belowMinimum,
    items: flagged,
    baselines: series.map((s) => ({
      key: s.key,
      points: robustSeasonalBaseline(s.points).map((b) => ({
        month: b.month,
        value: b.value,
        expected: b.expected,
        score: b.score,
      })),
    })),
  };
}

export async function forecastView(
  repo: AnalyticsRepository,
  q: ForecastQuery,
): Promise<ForecastView> {
  const series = await seizureSeries(repo, q);
  const items = series
    // Holt-Winters needs a few points to fit a level and a trend.
    .filter((s) => s.points.length >= 3)
    .map((s) => ({
      key: s.key,
      history: s.points,
      forecast: forecastSeries(s.points, { horizon: q.horizon, level: q.level }),
    }));
  return { group: q.group, metric: q.metric, items };
}
