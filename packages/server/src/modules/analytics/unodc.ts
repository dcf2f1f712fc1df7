import { z } from '@hono/zod-openapi';
import type { AnalyticsService } from '@interdict/services';
import type { App } from '../../env';
import { csvTable } from './csv';
import { RowsHref, SourceRowCount, Year } from './schemas';
import { Format, getView } from './view';

// UNODC drug seizures by country, drug and year: totals, regional shares and trends
// (GET /api/analytics/unodc/*).

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

const TotalsResponse = z
  .object({
    items: z.array(
      z.object({
        countryCode: z.string(),
        country: z.string(),
        region: z.string(),
        subRegion: z.string(),
        drug: z.string(),
        year: z.number().int(),
        kilograms: z.number(),
        rows: SourceRowCount,
        rowsHref: RowsHref,
      }),
    ),
    world: z.array(z.object({ year: z.number().int(), kilograms: z.number() })),
  })
  .openapi('AnalyticsUnodcTotals');

const SharesResponse = z
  .object({
    drug: z.string(),
    year: z.number().int(),
    items: z.array(
      z.object({
        region: z.string(),
        kilograms: z.number(),
        share: z.number(),
        rowsHref: RowsHref,
      }),
    ),
  })
  .openapi('AnalyticsUnodcShares');

const TrendsResponse = z
  .object({
    drug: z.string(),
    items: z.array(
      z.object({
        countryCode: z.string(),
        country: z.string(),
        firstYear: z.number().int(),
        firstKilograms: z.number(),
        lastYear: z.number().int(),
        lastKilograms: z.number(),
        slopePerYear: z.number().openapi({ description: 'Least-squares slope, kg per year' }),
        cagr: z.number().nullable().openapi({ description: 'Compound annual growth rate' }),
        rowsHref: RowsHref,
      }),
    ),
  })
  .openapi('AnalyticsUnodcTrends');

export function registerUnodcViews(app: App, analytics: AnalyticsService): void {
  getView(
    app,
    {
      path: '/api/analytics/unodc/totals',
      summary:
        'UNODC seizures: kilograms by country, drug and year (rows summed, never deduplicated)',
      query: UnodcQuery,
      schema: TotalsResponse,
      description: 'One row per country, drug and year',
    },
    (actor, q) => analytics.unodcTotals(actor, q),
    (view) =>
      csvTable(
        'unodc-totals',
        ['countryCode', 'country', 'region', 'subRegion', 'drug', 'year', 'kilograms', 'rows'],
        view.items,
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/unodc/shares',
      summary: 'Regional shares of the world total for one drug and year (UNODC)',
      query: SharesQuery,
      schema: SharesResponse,
      description: 'One row per region',
    },
    (actor, q) => analytics.unodcShares(actor, q),
    (view) => csvTable('unodc-shares', ['region', 'kilograms', 'share'], view.items),
  );

  getView(
    app,
    {
      path: '/api/analytics/unodc/trends',
      summary: 'Trend per country for one drug (least-squares slope and compound annual growth)',
      query: UnodcQuery,
      schema: TrendsResponse,
      description: 'One row per country, steepest rise first',
    },
    (actor, q) => analytics.unodcTrends(actor, q),
    (view) =>
      csvTable(
        'unodc-trends',
        [
          'countryCode',
          'country',
          'firstYear',
          'firstKilograms',
          'lastYear',
          'lastKilograms',
          'slopePerYear',
          'cagr',
        ],
        view.items,
      ),
  );
}
