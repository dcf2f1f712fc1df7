import { z } from '@hono/zod-openapi';
import { BTS_MEASURES } from '@interdict/analytics';
import { CROSSING_GROUPS, type AnalyticsService } from '@interdict/services';
import type { App } from '../../env';
import { csvTable } from './csv';
import {
  CrossingFilters,
  RowsHref,
  SeriesResponse,
  seriesCsvRows,
  SourceRowCount,
} from './schemas';
import { getView } from './view';

// BTS inbound border crossings: monthly series and the land ports on the map
// (GET /api/analytics/crossings/*).

const CrossingSeriesQuery = z.object({
  ...CrossingFilters,
  group: z.enum(CROSSING_GROUPS).default('total'),
});
const CrossingPortsQuery = z.object({
  ...CrossingFilters,
  measure: z.enum(BTS_MEASURES).default('Trucks'),
});

const CrossingPortsResponse = z
  .object({
    measure: z.string(),
    items: z.array(
      z.object({
        portCode: z.string(),
        portName: z.string(),
        state: z.string(),
        border: z.string(),
        latitude: z.number().nullable(),
        longitude: z.number().nullable(),
        fieldOffice: z.string().nullable().openapi({ description: 'CBP OFO field office' }),
        value: z.number(),
        rows: SourceRowCount,
        rowsHref: RowsHref,
      }),
    ),
  })
  .openapi('AnalyticsCrossingPorts');

export function registerCrossingViews(app: App, analytics: AnalyticsService): void {
  getView(
    app,
    {
      path: '/api/analytics/crossings/series',
      summary: 'Monthly inbound border crossings (BTS) by port, border, state or measure',
      query: CrossingSeriesQuery,
      schema: SeriesResponse,
      description: 'One monthly series per group value',
    },
    (actor, q) => analytics.crossingSeries(actor, q),
    (view) =>
      csvTable(
        'crossings-series',
        ['key', 'month', 'value', 'yoyChangeRatio', 'rows'],
        seriesCsvRows(view.series),
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/crossings/ports',
      summary:
        'Land ports with coordinates and their total of one measure over a period (for the map)',
      query: CrossingPortsQuery,
      schema: CrossingPortsResponse,
      description: 'One row per port',
    },
    (actor, q) => analytics.crossingPorts(actor, q),
    (view) =>
      csvTable(
        'crossing-ports',
        [
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
        view.items,
      ),
  );
}
