import { createRoute, z } from '@hono/zod-openapi';
import {
  addMonths,
  annualTotals,
  BTS_BORDERS,
  BTS_MEASURES,
  CBP_COMPONENTS,
  CBP_REGIONS,
  forecastSeries,
  monthsBetween,
  regionalShares,
  robustSeasonalBaseline,
  seizuresPerTraffic,
  shares,
  TRAFFIC_UNITS,
  unusualMonths,
  yearlyTrend,
  yearOverYear,
  type TrafficUnit,
} from '@interdict/analytics';
import {
  AnalyticsRepository,
  CROSSING_GROUPS,
  ROW_DATASETS,
  SEIZURE_GROUPS,
  type SeizureAggregate,
  type SeizureFilter,
  type TrafficAggregate,
} from '@interdict/store';
import type { Context } from 'hono';
import { requireActor } from '../auth/middleware';
import type { App, AppEnv, ModuleDeps } from '../env';
import { problemResponses } from '../schemas';
import { registerSummaryProvider } from '../summary';

// ---------------------------------------------------------------------------------------------
// Query schemas: every view's filters live in the query string, so a URL is a shareable view.

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .openapi({ example: '2023-01' });
const Format = z.enum(['json', 'csv']).optional().openapi({ description: 'csv answers text/csv' });

const SeizureFilters = {
  drug: z.string().max(100).optional().openapi({ example: 'Fentanyl' }),
  region: z.enum(CBP_REGIONS).optional(),
  component: z.enum(CBP_COMPONENTS).optional(),
  aor: z.string().max(100).optional().openapi({ description: 'Field office or sector' }),
  landFilter: z.enum(['Land Only', 'Other']).optional(),
  from: Month.optional(),
  to: Month.optional(),
  format: Format,
};
const Metric = z.enum(['pounds', 'events']).default('pounds');
const SeizureSeriesQuery = z.object({
  ...SeizureFilters,
  group: z.enum(SEIZURE_GROUPS).default('drug'),
  metric: Metric,
});
const UnusualQuery = SeizureSeriesQuery.extend({
  threshold: z.coerce.number().min(1).max(20).default(3.5),
});
const ForecastQuery = SeizureSeriesQuery.extend({
  group: z.enum(SEIZURE_GROUPS).default('total'),
  horizon: z.coerce.number().int().min(1).max(24).default(6),
  level: z.coerce.number().min(0.5).max(0.99).default(0.8),
});
const MixQuery = z.object({
  ...SeizureFilters,
  fiscalYear: z.coerce.number().int().min(1990).max(2100).optional(),
});
const UNITS = Object.keys(TRAFFIC_UNITS) as [TrafficUnit, ...TrafficUnit[]];
const RatesQuery = z.object({
  unit: z.enum(UNITS).default('trucks'),
  area: z.enum(['region', 'field-office']).default('region'),
  drug: z.string().max(100).optional(),
  from: Month.optional(),
  to: Month.optional(),
  format: Format,
});
const CrossingFilters = {
  measure: z.enum(BTS_MEASURES).optional(),
  port: z
    .string()
    .regex(/^\d{4}$/)
    .optional()
    .openapi({ example: '2304' }),
  border: z.enum(BTS_BORDERS).optional(),
  state: z.string().max(60).optional(),
  from: Month.optional(),
  to: Month.optional(),
  format: Format,
};
const CrossingSeriesQuery = z.object({
  ...CrossingFilters,
  group: z.enum(CROSSING_GROUPS).default('total'),
});
const CrossingPortsQuery = z.object({
  ...CrossingFilters,
  measure: z.enum(BTS_MEASURES).default('Trucks'),
});
const Year = z.coerce.number().int().min(1900).max(2100);
const UnodcQuery = z.object({
  drug: z.string().max(200).optional().openapi({ example: 'Cocaine' }),
  drugGroup: z.string().max(200).optional(),
  region: z.string().max(100).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  year: Year.optional(),
  from: Year.optional(),
  to: Year.optional(),
  format: Format,
});
const SharesQuery = z.object({
  drug: z.string().max(200).default('Cocaine'),
  year: Year.optional(),
  format: Format,
});
const PlacesQuery = z.object({
  kind: z.enum(['wpi', 'unlocode-border', 'unlocode-port']).default('wpi'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  format: Format,
});
const RowsQuery = z.object({
  ...SeizureFilters,
  ...CrossingFilters,
  region: z.string().max(100).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2,3}$/)
    .optional(),
  drugGroup: z.string().max(200).optional(),
  year: Year.optional(),
  month: Month.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const RowsParams = z.object({
  dataset: z.enum(ROW_DATASETS).openapi({ param: { name: 'dataset', in: 'path' } }),
});
const ChangesQuery = z.object({
  jobId: z.string().max(100).optional(),
  kind: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  format: Format,
});

// Response schemas (documented loosely where the shape is a table of figures).
const Point = z.object({
  month: z.string(),
  value: z.number(),
  events: z.number().optional(),
  pounds: z.number().optional(),
  rows: z.number().openapi({ description: 'Source rows summed into this figure' }),
  rowsHref: z.string().openapi({ description: 'API URL listing those source rows' }),
});
const Series = z.object({
  key: z.string(),
  points: z.array(Point),
  yearOverYear: z.array(z.object({ month: z.string(), changeRatio: z.number().nullable() })),
  annual: z.array(z.object({ year: z.number(), value: z.number(), months: z.number() })),
});
const SeriesResponse = z
  .object({ group: z.string(), metric: z.string(), series: z.array(Series) })
  .openapi('AnalyticsSeries');
const Table = z.object({ items: z.array(z.record(z.string(), z.unknown())) }).passthrough();

function answers(schema: z.ZodType, description: string) {
  return {
    200: {
      description,
      content: {
        'application/json': { schema },
        'text/csv': { schema: z.string() },
      },
    },
    ...problemResponses,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Ctx = Context<AppEnv>;

/** RFC 4180 CSV, with a formula-injection guard for spreadsheet users (OWASP CSV injection). */
export function toCsv(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s: string;
    if (v instanceof Date) s = v.toISOString();
    else if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
      s = String(v);
    else s = JSON.stringify(v);
    if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

function csvResponse(
  c: Ctx,
  name: string,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): Response {
  return c.body(toCsv(columns, rows), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.csv"`,
  });
}

function rowsHref(dataset: string, filters: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters))
    if (v !== undefined && v !== '') q.set(k, String(v));
  return `/api/analytics/rows/${dataset}?${q.toString()}`;
}

/**
 * The rows behind one month of one series: the view's filters without its period, narrowed to
 * the series' own value (when it is grouped by a filter field) and to that month.
 */
function monthRowsHref(
  dataset: string,
  filter: Record<string, string | number | undefined>,
  field: string | undefined,
  key: string,
  month: string,
): string {
  return rowsHref(dataset, {
    ...filter,
    from: undefined,
    to: undefined,
    ...(field ? { [field]: key } : {}),
    month,
  });
}

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

/** Series on a regular month grid (a month with no rows is a real zero in CBP's data). */
function gridSeries<A extends { key: string; month: string; rows: number }>(
  aggregates: readonly A[],
  value: (a: A) => number,
): Map<string, { month: string; value: number; rows: number; source?: A }[]> {
  const out = new Map<string, { month: string; value: number; rows: number; source?: A }[]>();
  if (aggregates.length === 0) return out;
  let lo = aggregates[0]?.month as string;
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
    const points: { month: string; value: number; rows: number; source?: A }[] = [];
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
function linkedSeries<A extends { key: string; month: string; rows: number }, X extends object>(
  dataset: string,
  aggregates: readonly A[],
  view: { group: string; filter: Record<string, string | number | undefined> },
  value: (a: A) => number,
  extra: (a: A | undefined) => X,
) {
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
function withChange<S extends { points: { month: string; value: number }[] }>(
  s: S,
  options?: { fiscal: boolean },
) {
  return {
    ...s,
    yearOverYear: yearOverYear(s.points).map((y) => ({
      month: y.month,
      changeRatio: y.changeRatio,
    })),
    annual: annualTotals(s.points, options),
  };
}

/** A series response as CSV: one line per series and month, with its year-over-year change. */
function seriesCsvRows(
  series: readonly {
    key: string;
    points: readonly object[];
    yearOverYear: readonly { changeRatio: number | null }[];
  }[],
): Record<string, unknown>[] {
  return series.flatMap((s) =>
    s.points.map((p, i) => ({
      key: s.key,
      ...p,
      yoyChangeRatio: s.yearOverYear[i]?.changeRatio,
    })),
  );
}

/** A view's table as a CSV download: the file's name, its columns and its rows. */
interface CsvTable {
  name: string;
  columns: readonly string[];
  rows: readonly Record<string, unknown>[];
}

/**
 * What a view answers, in either format. Each is computed only when asked for, so a CSV
 * download does not pay for parts only the JSON carries (baselines, world totals).
 */
interface ViewAnswer {
  csv: () => CsvTable;
  json: () => unknown;
}

/**
 * Registers a GET view of the analytics API: tagged, with its query (and path) schema, answering
 * JSON or, with `format=csv`, a CSV download of the same figures.
 */
function getView<Q extends z.ZodObject, P extends z.ZodObject = z.ZodObject<Record<never, never>>>(
  app: App,
  route: {
    path: string;
    summary: string;
    params?: P;
    query: Q;
    schema: z.ZodType;
    description: string;
  },
  handler: (c: Ctx, q: z.infer<Q>, params: z.infer<P>) => Promise<ViewAnswer>,
): void {
  const { path, summary, params, query, schema, description } = route;
  app.openapi(
    createRoute({
      method: 'get',
      path,
      tags: ['analytics'],
      summary,
      request: params ? { params, query } : { query },
      responses: answers(schema, description),
    }),
    async (c) => {
      // The route's own schemas validated both; the casts only restore their generic types.
      const q = c.req.valid('query' as never) as z.infer<Q>;
      const p = (params ? c.req.valid('param' as never) : {}) as z.infer<P>;
      const answer = await handler(c, q, p);
      if ((q as { format?: string }).format === 'csv') {
        const table = answer.csv();
        return csvResponse(c, table.name, table.columns, table.rows);
      }
      return c.json(answer.json() as object, 200);
    },
  );
}

// ---------------------------------------------------------------------------------------------

export function register(app: App, deps: ModuleDeps): void {
  const repo = new AnalyticsRepository(deps.store);
  let facetsCache: { version: string; value: Record<string, unknown> } | undefined;
  registerSummaryProvider({
    capability: 'analytics',
    async summarise() {
      const labels: Record<string, string> = {
        'bts-crossings': 'Border-crossing rows (BTS)',
        'bts-ports': 'Land ports (BTS)',
        'cbp-seizures': 'Drug-seizure rows (CBP)',
        'unodc-seizures': 'Drug-seizure rows (UNODC)',
        'wpi-ports': 'Seaports (World Port Index)',
        unlocode: 'Locations (UN/LOCODE)',
      };
      return (await repo.counts()).map((x) => ({
        capability: 'analytics',
        label: labels[x.kind] ?? x.kind,
        count: x.rows,
        updatedAt: x.updatedAt?.toISOString() ?? null,
      }));
    },
  });

  async function seizureSeries(c: Ctx, q: z.infer<typeof SeizureSeriesQuery>) {
    const filter = seizureFilter(q);
    const aggregates = await repo.seizureSeries(requireActor(c), q.group, filter);
    return linkedSeries<SeizureAggregate, { events: number; pounds: number }>(
      'cbp-seizures',
      aggregates,
      { group: q.group, filter: { ...filter } },
      (a) => (q.metric === 'events' ? a.events : a.pounds),
      (a) => ({ events: a?.events ?? 0, pounds: a?.pounds ?? 0 }),
    );
  }

  getView(
    app,
    {
      path: '/api/analytics/seizures/series',
      summary:
        'Monthly CBP drug seizures by drug, region, component or field office/sector, with year-over-year change',
      query: SeizureSeriesQuery,
      schema: SeriesResponse,
      description: 'One monthly series per group value',
    },
    async (c, q) => {
      const series = (await seizureSeries(c, q)).map((s) => withChange(s, { fiscal: true }));
      return {
        csv: () => ({
          name: 'seizures-series',
          columns: ['key', 'month', 'events', 'pounds', 'yoyChangeRatio', 'rows'],
          rows: seriesCsvRows(series),
        }),
        json: () => ({ group: q.group, metric: q.metric, series }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/mix',
      summary: 'Drug mix: each drug’s share of seizure pounds and events',
      query: MixQuery,
      schema: Table,
      description: 'One row per drug',
    },
    async (c, q) => {
      const filter = seizureFilter(q);
      if (q.fiscalYear !== undefined) {
        filter.from = `${q.fiscalYear - 1}-10`;
        filter.to = `${q.fiscalYear}-09`;
      }
      const aggregates = await repo.seizureSeries(requireActor(c), 'drug', filter);
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
      const items = poundShares.map((s) => {
        const t = byDrug.get(s.key) as { events: number; pounds: number; rows: number };
        return {
          drug: s.key,
          pounds: t.pounds,
          poundsShare: s.share,
          events: t.events,
          eventsShare: eventTotal === 0 ? 0 : t.events / eventTotal,
          rows: t.rows,
          rowsHref: rowsHref('cbp-seizures', { ...filter, drug: s.key }),
        };
      });
      return {
        csv: () => ({
          name: 'drug-mix',
          columns: ['drug', 'pounds', 'poundsShare', 'events', 'eventsShare', 'rows'],
          rows: items,
        }),
        json: () => ({ from: filter.from ?? null, to: filter.to ?? null, items }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/rates',
      summary:
        'Seizure events and pounds per 100,000 units of traffic, by border region or field office',
      query: RatesQuery,
      schema: Table,
      description: 'One row per area and month',
    },
    async (c, q) => {
      const actor = requireActor(c);
      // Without a start, begin where the seizure data begins: earlier traffic has nothing to pair.
      const from = q.from ?? (await repo.seizureMonths(actor))?.[0];
      const range = { from, to: q.to };
      const traffic: TrafficAggregate[] = await repo.trafficByArea(actor, q.area, q.unit, range);
      // Only land seizures are set against land traffic (CBP's `Land Only` filter): a field
      // office's airport and mail seizures (Chicago's are mostly international mail) have no
      // land traffic to divide by. Field offices are OFO's, so Border Patrol sectors between the
      // ports count towards their region only.
      const landOnly = {
        drug: q.drug,
        from: q.from,
        to: q.to,
        landFilter: 'Land Only',
        ...(q.area === 'field-office' ? { component: 'Office of Field Operations' } : {}),
      };
      const areaField = q.area === 'region' ? 'region' : 'aor';
      const seizures = await repo.seizureSeries(actor, areaField, landOnly);
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
        csv: () => ({
          name: 'seizures-per-traffic',
          columns: [
            'area',
            'month',
            'unit',
            'events',
            'pounds',
            'traffic',
            'eventsPer100k',
            'poundsPer100k',
          ],
          rows: covered,
        }),
        json: () => ({
          unit: q.unit,
          area: q.area,
          measures: TRAFFIC_UNITS[q.unit],
          items: covered,
        }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/unusual',
      summary:
        'Unusual months against a robust seasonal baseline (median level + seasonal medians, MAD z-scores)',
      query: UnusualQuery,
      schema: Table,
      description: 'Flagged months, most unusual first, and each series’ baseline',
    },
    async (c, q) => {
      const series = await seizureSeries(c, q);
      const flagged = series.flatMap((s) => {
        const byMonth = new Map(s.points.map((p) => [p.month, p]));
        return unusualMonths(s.points, { threshold: q.threshold }).map((u) => ({
          key: s.key,
          ...u,
          rows: byMonth.get(u.month)?.rows ?? 0,
          rowsHref: byMonth.get(u.month)?.rowsHref ?? '',
        }));
      });
      flagged.sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
      return {
        csv: () => ({
          name: 'unusual-months',
          columns: ['key', 'month', 'value', 'expected', 'score', 'direction', 'severity', 'rows'],
          rows: flagged,
        }),
        json: () => ({
          group: q.group,
          metric: q.metric,
          threshold: q.threshold,
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
        }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/forecast',
      summary: 'Short-horizon forecast (additive Holt-Winters) with residual-based intervals',
      query: ForecastQuery,
      schema: Table,
      description: 'History and forecast per series',
    },
    async (c, q) => {
      const series = await seizureSeries(c, q);
      const items = series
        .filter((s) => s.points.length >= 3)
        .map((s) => ({
          key: s.key,
          history: s.points,
          forecast: forecastSeries(s.points, { horizon: q.horizon, level: q.level }),
        }));
      return {
        csv: () => ({
          name: 'forecast',
          columns: ['key', 'month', 'kind', 'value', 'lower', 'upper'],
          rows: items.flatMap((i) => [
            ...i.history.map((p) => ({
              key: i.key,
              month: p.month,
              kind: 'actual',
              value: p.value,
            })),
            ...i.forecast.points.map((p) => ({ key: i.key, kind: 'forecast', ...p })),
          ]),
        }),
        json: () => ({ group: q.group, metric: q.metric, items }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/crossings/series',
      summary: 'Monthly inbound border crossings (BTS) by port, border, state or measure',
      query: CrossingSeriesQuery,
      schema: SeriesResponse,
      description: 'One monthly series per group value',
    },
    async (c, q) => {
      const filter = {
        measure: q.measure,
        port: q.port,
        border: q.border,
        state: q.state,
        from: q.from,
        to: q.to,
      };
      const aggregates = await repo.crossingSeries(requireActor(c), q.group, filter);
      const series = linkedSeries(
        'bts-crossings',
        aggregates,
        { group: q.group, filter },
        (a) => a.value,
        () => ({}),
      ).map((s) => withChange(s));
      return {
        csv: () => ({
          name: 'crossings-series',
          columns: ['key', 'month', 'value', 'yoyChangeRatio', 'rows'],
          rows: seriesCsvRows(series),
        }),
        json: () => ({ group: q.group, metric: q.measure ?? 'by measure', series }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/crossings/ports',
      summary:
        'Land ports with coordinates and their total of one measure over a period (for the map)',
      query: CrossingPortsQuery,
      schema: Table,
      description: 'One row per port',
    },
    async (c, q) => {
      const filter = {
        measure: q.measure,
        border: q.border,
        state: q.state,
        port: q.port,
        from: q.from,
        to: q.to,
      };
      const items = (await repo.crossingPorts(requireActor(c), filter)).map((p) => ({
        ...p,
        rowsHref: rowsHref('bts-crossings', { ...filter, port: p.portCode }),
      }));
      return {
        csv: () => ({
          name: 'crossing-ports',
          columns: [
            'portCode',
            'portName',
            'state',
            'border',
            'fieldOffice',
            'latitude',
            'longitude',
            'value',
            'rows',
          ],
          rows: items,
        }),
        json: () => ({ measure: q.measure, items }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/unodc/totals',
      summary:
        'UNODC seizures: kilograms by country, drug and year (rows summed, never deduplicated)',
      query: UnodcQuery,
      schema: Table,
      description: 'One row per country, drug and year',
    },
    async (c, q) => {
      const filter = {
        drug: q.drug,
        drugGroup: q.drugGroup,
        region: q.region,
        country: q.country,
        year: q.year,
        from: q.from,
        to: q.to,
      };
      const items = (await repo.unodcTotals(requireActor(c), filter)).map((t) => ({
        ...t,
        rowsHref: rowsHref('unodc-seizures', {
          drug: t.drug,
          drugGroup: q.drugGroup,
          country: t.countryCode,
          year: t.year,
        }),
      }));
      return {
        csv: () => ({
          name: 'unodc-totals',
          columns: [
            'countryCode',
            'country',
            'region',
            'subRegion',
            'drug',
            'year',
            'kilograms',
            'rows',
          ],
          rows: items,
        }),
        json: () => {
          const world = new Map<number, number>();
          for (const t of items) world.set(t.year, (world.get(t.year) ?? 0) + t.kilograms);
          return {
            items,
            world: [...world]
              .sort(([a], [b]) => a - b)
              .map(([year, kilograms]) => ({ year, kilograms })),
          };
        },
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/unodc/shares',
      summary: 'Regional shares of the world total for one drug and year (UNODC)',
      query: SharesQuery,
      schema: Table,
      description: 'One row per region',
    },
    async (c, q) => {
      const totals = await repo.unodcTotals(requireActor(c), { drug: q.drug, year: q.year });
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
      return {
        csv: () => ({
          name: 'unodc-shares',
          columns: ['region', 'kilograms', 'share'],
          rows: items,
        }),
        json: () => ({ drug: q.drug, year, items }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/unodc/trends',
      summary: 'Trend per country for one drug (least-squares slope and compound annual growth)',
      query: UnodcQuery,
      schema: Table,
      description: 'One row per country, steepest rise first',
    },
    async (c, q) => {
      const totals = await repo.unodcTotals(requireActor(c), {
        drug: q.drug ?? 'Cocaine',
        region: q.region,
        from: q.from,
        to: q.to,
      });
      const byCountry = new Map<
        string,
        { name: string; values: { year: number; value: number }[] }
      >();
      for (const t of totals) {
        const e = byCountry.get(t.countryCode) ?? { name: t.country, values: [] };
        e.values.push({ year: t.year, value: t.kilograms });
        byCountry.set(t.countryCode, e);
      }
      const items = [...byCountry]
        .map(([code, e]) => {
          const trend = yearlyTrend(code, e.values);
          return (
            trend && {
              countryCode: code,
              country: e.name,
              firstYear: trend.first.year,
              firstKilograms: trend.first.value,
              lastYear: trend.last.year,
              lastKilograms: trend.last.value,
              slopePerYear: trend.slopePerYear,
              cagr: trend.cagr,
              rowsHref: rowsHref('unodc-seizures', { drug: q.drug ?? 'Cocaine', country: code }),
            }
          );
        })
        .filter((x) => x !== null)
        .sort((a, b) => b.slopePerYear - a.slopePerYear);
      return {
        csv: () => ({
          name: 'unodc-trends',
          columns: [
            'countryCode',
            'country',
            'firstYear',
            'firstKilograms',
            'lastYear',
            'lastKilograms',
            'slopePerYear',
            'cagr',
          ],
          rows: items,
        }),
        json: () => ({ drug: q.drug ?? 'Cocaine', items }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/places',
      summary:
        'Seaports (World Port Index) or UN/LOCODE border crossings and ports with coordinates',
      query: PlacesQuery,
      schema: Table,
      description: 'One row per place',
    },
    async (c, q) => {
      const items = await repo.places(requireActor(c), q.kind, q.country);
      return {
        csv: () => ({
          name: `places-${q.kind}`,
          columns: [
            'id',
            'name',
            'country',
            'latitude',
            'longitude',
            'detail',
            'sourceName',
            'sourceLine',
          ],
          rows: items,
        }),
        json: () => ({ kind: q.kind, items }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/rows/{dataset}',
      summary: 'The source rows behind a figure, each with its file and line',
      params: RowsParams,
      query: RowsQuery,
      schema: Table,
      description: 'Source rows and their total count',
    },
    async (c, q, { dataset }) => {
      const { limit, offset, format: _format, ...filter } = q;
      const page = await repo.sourceRows(requireActor(c), dataset, filter, { limit, offset });
      return {
        csv: () => ({
          name: `rows-${dataset}`,
          columns: page.items[0] ? Object.keys(page.items[0]) : ['source_name', 'source_line'],
          rows: page.items,
        }),
        json: () => {
          const next =
            offset + page.items.length < page.total
              ? String(offset + page.items.length)
              : undefined;
          return {
            dataset,
            total: page.total,
            items: page.items,
            ...(next ? { nextCursor: next } : {}),
          };
        },
      };
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/analytics/facets',
      tags: ['analytics'],
      summary: 'Values available for each analytics filter',
      responses: answers(z.object({}).passthrough(), 'Filter values per dataset'),
    }),
    async (c) => {
      const actor = requireActor(c);
      // The facets scan every row (400k crossings); they only change when an ingest does.
      const version = await repo.dataVersion();
      if (facetsCache?.version !== version) {
        facetsCache = {
          version,
          value: {
            seizures: await repo.seizureFacets(actor),
            crossings: await repo.crossingFacets(actor),
            unodc: await repo.unodcFacets(actor),
            trafficUnits: TRAFFIC_UNITS,
          },
        };
      } else {
        repo.assertReader(actor);
      }
      return c.json(facetsCache.value, 200);
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/sources',
      summary: 'Loaded dataset releases: file, checksum, rows, period, ingest job',
      query: z.object({ format: Format }),
      schema: Table,
      description: 'One row per dataset release',
    },
    async (c) => {
      const items = await repo.sources(requireActor(c));
      return {
        csv: () => ({
          name: 'sources',
          columns: [
            'kind',
            'release',
            'sourceName',
            'sha256',
            'rowCount',
            'firstPeriod',
            'lastPeriod',
            'jobId',
            'ingestedAt',
          ],
          rows: items,
        }),
        json: () => ({
          items: items.map((s) => ({ ...s, ingestedAt: s.ingestedAt.toISOString() })),
        }),
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/changes',
      summary:
        'What revised files changed: each inserted, updated or withdrawn row, before and after',
      query: ChangesQuery,
      schema: Table,
      description: 'Changes, newest first',
    },
    async (c, q) => {
      const items = await repo.changes(requireActor(c), {
        jobId: q.jobId,
        kind: q.kind,
        limit: q.limit,
      });
      return {
        csv: () => ({
          name: 'changes',
          columns: [
            'seq',
            'jobId',
            'kind',
            'release',
            'change',
            'rowKey',
            'before',
            'after',
            'createdAt',
          ],
          rows: items,
        }),
        json: () => ({ items: items.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() })) }),
      };
    },
  );
}
