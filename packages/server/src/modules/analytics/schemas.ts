import { z } from '@hono/zod-openapi';
import { BTS_BORDERS, BTS_MEASURES, CBP_COMPONENTS, CBP_REGIONS } from '@interdict/analytics';
import { Format } from './view';

// What the views share: their filters (every filter lives in the query string, so a URL is a
// shareable view) and the monthly series they answer.

export const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .openapi({ example: '2023-01' });

export const Year = z.coerce.number().int().min(1900).max(2100);

export const SeizureFilters = {
  drug: z.string().max(100).optional().openapi({ example: 'Fentanyl' }),
  region: z.enum(CBP_REGIONS).optional(),
  component: z.enum(CBP_COMPONENTS).optional(),
  aor: z.string().max(100).optional().openapi({ description: 'Field office or sector' }),
  landFilter: z.enum(['Land Only', 'Other']).optional(),
  from: Month.optional(),
  to: Month.optional(),
  format: Format,
};

export const CrossingFilters = {
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

export const RowsHref = z.string().openapi({ description: 'API URL listing the source rows' });
export const SourceRowCount = z
  .number()
  .int()
  .openapi({ description: 'Source rows summed into this figure' });

export const Point = z
  .object({
    month: z.string(),
    value: z.number(),
    events: z.number().optional(),
    pounds: z.number().optional(),
    rows: SourceRowCount,
    rowsHref: z.string().openapi({ description: 'API URL listing those source rows' }),
  })
  .openapi('AnalyticsPoint');

const Series = z
  .object({
    key: z.string(),
    points: z.array(Point),
    yearOverYear: z.array(z.object({ month: z.string(), changeRatio: z.number().nullable() })),
    annual: z.array(z.object({ year: z.number().int(), value: z.number(), months: z.number() })),
  })
  .openapi('AnalyticsSeriesLine');

export const SeriesResponse = z
  .object({ group: z.string(), metric: z.string(), series: z.array(Series) })
  .openapi('AnalyticsSeries');

/** A series view as CSV: one line per series and month, with its year-over-year change. */
export function seriesCsvRows(
  series: readonly {
    key: string;
    points: readonly z.infer<typeof Point>[];
    yearOverYear: readonly { changeRatio: number | null }[];
  }[],
): (z.infer<typeof Point> & { key: string; yoyChangeRatio: number | null | undefined })[] {
  return series.flatMap((s) =>
    s.points.map((p, i) => ({
      key: s.key,
      ...p,
      yoyChangeRatio: s.yearOverYear[i]?.changeRatio,
    })),
  );
}
