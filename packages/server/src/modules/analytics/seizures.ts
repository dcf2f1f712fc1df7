import { z } from '@hono/zod-openapi';
import { TRAFFIC_UNITS, type TrafficUnit } from '@interdict/analytics';
import { SEIZURE_GROUPS, type AnalyticsService } from '@interdict/services';
import type { App } from '../../env';
import { csvTable } from './csv';
import {
  Month,
  Point,
  RowsHref,
  SeizureFilters,
  SeriesResponse,
  seriesCsvRows,
  SourceRowCount,
} from './schemas';
import { Format, getView } from './view';

// CBP nationwide drug seizures: monthly series, drug mix, seizures per unit of traffic, unusual
// months and forecasts (GET /api/analytics/seizures/*).

const Metric = z.enum(['pounds', 'events']).default('pounds');
const SeizureSeriesQuery = z.object({
  ...SeizureFilters,
  group: z.enum(SEIZURE_GROUPS).default('drug'),
  metric: Metric,
});
const UnusualQuery = SeizureSeriesQuery.extend({
  threshold: z.coerce.number().min(1).max(20).default(3.5),
  minimum: z.coerce.number().min(0).max(1e12).optional().openapi({
    description:
      'Smallest |value − expected| that counts, in the metric’s unit; default 1% of the view’s typical monthly total',
  }),
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

const SeizurePoint = Point.extend({ events: z.number(), pounds: z.number() });

const MixResponse = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    items: z.array(
      z.object({
        drug: z.string(),
        pounds: z.number(),
        poundsShare: z.number(),
        events: z.number(),
        eventsShare: z.number(),
        rows: SourceRowCount,
        rowsHref: RowsHref,
      }),
    ),
  })
  .openapi('AnalyticsDrugMix');

const RatesResponse = z
  .object({
    unit: z.string(),
    area: z.string(),
    measures: z.array(z.string()).readonly().openapi({ description: 'BTS measures summed' }),
    components: z
      .array(z.string())
      .readonly()
      .openapi({ description: 'CBP components whose seizures are counted (those at the ports)' }),
    items: z.array(
      z.object({
        area: z.string(),
        month: z.string(),
        events: z.number(),
        pounds: z.number(),
        traffic: z.number(),
        eventsPer100k: z.number().nullable(),
        poundsPer100k: z.number().nullable(),
        unit: z.string(),
        rowsHref: RowsHref,
        trafficHref: z.string().openapi({ description: 'API URL listing the crossing rows' }),
      }),
    ),
  })
  .openapi('AnalyticsSeizureRates');

const UnusualResponse = z
  .object({
    group: z.string(),
    metric: z.string(),
    threshold: z.number(),
    minimum: z.number().openapi({ description: 'The smallest gap that counted' }),
    minimumRule: z.union([
      z.object({ kind: z.literal('given') }),
      z.object({
        kind: z.literal('share-of-view'),
        share: z.number(),
        typicalTotal: z.number(),
      }),
    ]),
    belowMinimum: z.number().int().openapi({
      description: 'Months far from their baseline but with too small a gap to matter in the view',
    }),
    items: z.array(
      z.object({
        key: z.string(),
        month: z.string(),
        value: z.number(),
        expected: z.number(),
        gap: z.number().openapi({ description: 'value − expected' }),
        ratio: z.number().nullable().openapi({ description: 'value ÷ expected' }),
        usualLow: z.number(),
        usualHigh: z.number(),
        spread: z.number(),
        score: z.number().openapi({ description: 'Robust z-score (MAD)' }),
        direction: z.enum(['high', 'low']),
        severity: z.enum(['notable', 'strong', 'extreme']),
        rows: SourceRowCount,
        rowsHref: RowsHref,
      }),
    ),
    baselines: z.array(
      z.object({
        key: z.string(),
        points: z.array(
          z.object({
            month: z.string(),
            value: z.number(),
            expected: z.number(),
            score: z.number(),
          }),
        ),
      }),
    ),
  })
  .openapi('AnalyticsUnusualMonths');

const ForecastResponse = z
  .object({
    group: z.string(),
    metric: z.string(),
    items: z.array(
      z.object({
        key: z.string(),
        history: z.array(SeizurePoint),
        forecast: z.object({
          method: z.enum(['holt-winters-additive', 'holt-linear']),
          alpha: z.number(),
          beta: z.number(),
          gamma: z.number(),
          rmse: z.number().openapi({ description: 'RMS one-step-ahead error over the fit' }),
          level: z.number().openapi({ description: 'Nominal coverage of the intervals' }),
          points: z
            .array(
              z.object({
                month: z.string(),
                value: z.number(),
                lower: z.number(),
                upper: z.number(),
              }),
            )
            .readonly(),
        }),
      }),
    ),
  })
  .openapi('AnalyticsForecast');

export function registerSeizureViews(app: App, analytics: AnalyticsService): void {
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
    (actor, q) => analytics.seizureSeries(actor, q),
    (view) =>
      csvTable(
        'seizures-series',
        ['key', 'month', 'events', 'pounds', 'yoyChangeRatio', 'rows'],
        seriesCsvRows(view.series),
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/mix',
      summary: 'Drug mix: each drug’s share of seizure pounds and events',
      query: MixQuery,
      schema: MixResponse,
      description: 'One row per drug',
    },
    (actor, q) => analytics.drugMix(actor, q),
    (view) =>
      csvTable(
        'drug-mix',
        ['drug', 'pounds', 'poundsShare', 'events', 'eventsShare', 'rows'],
        view.items,
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/rates',
      summary:
        'Seizure events and pounds per 100,000 units of traffic, by border region or field office',
      query: RatesQuery,
      schema: RatesResponse,
      description: 'One row per area and month',
    },
    (actor, q) => analytics.seizureRates(actor, q),
    (view) =>
      csvTable(
        'seizures-per-traffic',
        ['area', 'month', 'unit', 'events', 'pounds', 'traffic', 'eventsPer100k', 'poundsPer100k'],
        view.items,
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/unusual',
      summary:
        'Unusual months against a robust seasonal baseline (median level + seasonal medians, MAD z-scores)',
      query: UnusualQuery,
      schema: UnusualResponse,
      description: 'Flagged months, most unusual first, and each series’ baseline',
    },
    (actor, q) => analytics.unusualMonths(actor, q),
    (view) =>
      csvTable(
        'unusual-months',
        [
          'key',
          'month',
          'value',
          'expected',
          'gap',
          'ratio',
          'usualLow',
          'usualHigh',
          'score',
          'direction',
          'severity',
          'rows',
        ],
        view.items,
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/seizures/forecast',
      summary: 'Short-horizon forecast (additive Holt-Winters) with residual-based intervals',
      query: ForecastQuery,
      schema: ForecastResponse,
      description: 'History and forecast per series',
    },
    (actor, q) => analytics.forecast(actor, q),
    (view) =>
      csvTable(
        'forecast',
        ['key', 'month', 'kind', 'value', 'lower', 'upper'],
        view.items.flatMap((i) => [
          ...i.history.map((p) => ({
            key: i.key,
            month: p.month,
            kind: 'actual',
            value: p.value,
            lower: undefined,
            upper: undefined,
          })),
          ...i.forecast.points.map((p) => ({ key: i.key, kind: 'forecast', ...p })),
        ]),
      ),
  );
}
