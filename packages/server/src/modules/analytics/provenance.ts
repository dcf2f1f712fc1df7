import { z } from '@hono/zod-openapi';
import { ROW_DATASETS, type AnalyticsService } from '@interdict/services';
import type { App } from '../../env';
import { csvTable } from './csv';
import { CrossingFilters, Month, SeizureFilters, Year } from './schemas';
import { Format, getView } from './view';

// Where the figures come from: the source rows behind a figure, the loaded releases and what
// revised files changed (GET /api/analytics/rows/{dataset}, /sources, /changes). Every stored row
// keeps the file and line it came from (`source_name`, `source_line`).

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

/** The provenance every stored row carries. */
const Provenance = {
  occurrence: z.number().int().openapi({ description: 'n-th row with this key in its file' }),
  source_name: z.string().openapi({ description: 'The file the row came from' }),
  source_line: z.number().int().openapi({ description: 'Its line in that file' }),
};

const BtsCrossingRow = z
  .object({
    port_code: z.string(),
    month: z.string(),
    measure: z.string(),
    value: z.number(),
    port_name: z.string(),
    state: z.string(),
    border: z.string(),
    ...Provenance,
  })
  .openapi('BtsCrossingRow');
const CbpSeizureRow = z
  .object({
    release: z.string(),
    fiscal_year: z.number().int(),
    fiscal_month: z.string(),
    component: z.string(),
    region: z.string(),
    land_filter: z.string(),
    aor: z.string(),
    drug: z.string(),
    month: z.string(),
    fytd: z.boolean(),
    events: z.number().int(),
    pounds: z.number(),
    effective: z.boolean(),
    ...Provenance,
  })
  .openapi('CbpSeizureRow');
const UnodcSeizureRow = z
  .object({
    year: z.number().int(),
    country_code: z.string(),
    drug_group: z.string(),
    drug_sub_group: z.string(),
    drug_name: z.string(),
    region: z.string(),
    sub_region: z.string(),
    country: z.string(),
    kilograms: z.number().nullable(),
    ...Provenance,
  })
  .openapi('UnodcSeizureRow');
const BtsPortRow = z
  .object({
    port_code: z.string(),
    port_name: z.string(),
    state: z.string(),
    border: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    first_month: z.string(),
    last_month: z.string(),
    row_count: z.number().int(),
    field_office: z.string().nullable(),
    ...Provenance,
  })
  .openapi('BtsPortRow');
const WpiPortRow = z
  .object({
    wpi_number: z.string(),
    name: z.string(),
    alternate_name: z.string().nullable(),
    unlocode: z.string().nullable(),
    country_name: z.string().nullable(),
    region: z.string(),
    water_body: z.string(),
    harbor_size: z.string().nullable(),
    harbor_type: z.string().nullable(),
    harbor_use: z.string().nullable(),
    latitude: z.number(),
    longitude: z.number(),
    ...Provenance,
  })
  .openapi('WpiPortRow');
const UnlocodeRow = z
  .object({
    locode: z.string(),
    country: z.string(),
    name: z.string(),
    name_wo_diacritics: z.string(),
    subdivision: z.string().nullable(),
    status: z.string().nullable(),
    functions: z.string(),
    is_port: z.boolean(),
    is_border_crossing: z.boolean(),
    iata: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    geocoded: z.boolean(),
    repaired: z.boolean(),
    ...Provenance,
  })
  .openapi('UnlocodeRow');

/** A page of one dataset's rows: the row schema follows `dataset`. */
function rowsPage<D extends string, R extends z.ZodObject>(dataset: D, row: R) {
  return z.object({
    dataset: z.literal(dataset),
    total: z.number().int(),
    items: z.array(row),
    nextCursor: z.string().optional().openapi({ description: 'The offset of the next page' }),
  });
}

const RowsResponse = z
  .discriminatedUnion('dataset', [
    rowsPage('bts-crossings', BtsCrossingRow),
    rowsPage('cbp-seizures', CbpSeizureRow),
    rowsPage('unodc-seizures', UnodcSeizureRow),
    rowsPage('bts-ports', BtsPortRow),
    rowsPage('wpi-ports', WpiPortRow),
    rowsPage('unlocode', UnlocodeRow),
  ])
  .openapi('AnalyticsSourceRows');

const SourcesResponse = z
  .object({
    items: z.array(
      z.object({
        kind: z.string(),
        release: z.string(),
        sourceName: z.string(),
        sha256: z.string(),
        rowCount: z.number().int(),
        firstPeriod: z.string().nullable(),
        lastPeriod: z.string().nullable(),
        jobId: z.string().nullable(),
        ingestedAt: z.string().openapi({ format: 'date-time' }),
      }),
    ),
  })
  .openapi('AnalyticsSources');

/** A stored row as the change log keeps it: each column's value by name. */
const RowImage = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .nullable();

const ChangesResponse = z
  .object({
    items: z.array(
      z.object({
        seq: z.number().int(),
        jobId: z.string().nullable(),
        kind: z.string(),
        release: z.string(),
        change: z.enum(['insert', 'update', 'delete']),
        rowKey: z.string(),
        before: RowImage,
        after: RowImage,
        createdAt: z.string().openapi({ format: 'date-time' }),
      }),
    ),
  })
  .openapi('AnalyticsChanges');

export function registerProvenanceViews(app: App, analytics: AnalyticsService): void {
  getView(
    app,
    {
      path: '/api/analytics/rows/{dataset}',
      summary: 'The source rows behind a figure, each with its file and line',
      params: RowsParams,
      query: RowsQuery,
      schema: RowsResponse,
      description: 'Source rows and their total count',
    },
    (actor, q, { dataset }) => analytics.sourceRows(actor, dataset, q),
    // The columns are the dataset's own, in table order.
    (page, _q, { dataset }) => {
      const first: object | undefined = page.items[0];
      return {
        name: `rows-${dataset}`,
        columns: first ? Object.keys(first) : ['source_name', 'source_line'],
        rows: page.items,
      };
    },
  );

  getView(
    app,
    {
      path: '/api/analytics/sources',
      summary: 'Loaded dataset releases: file, checksum, rows, period, ingest job',
      query: z.object({ format: Format }),
      schema: SourcesResponse,
      description: 'One row per dataset release',
    },
    async (actor) => ({ items: await analytics.releases(actor) }),
    (view) =>
      csvTable(
        'sources',
        [
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
        view.items,
      ),
  );

  getView(
    app,
    {
      path: '/api/analytics/changes',
      summary:
        'What revised files changed: each inserted, updated or withdrawn row, before and after',
      query: ChangesQuery,
      schema: ChangesResponse,
      description: 'Changes, newest first',
    },
    async (actor, q) => ({ items: await analytics.changes(actor, q) }),
    (view) =>
      csvTable(
        'changes',
        ['seq', 'jobId', 'kind', 'release', 'change', 'rowKey', 'before', 'after', 'createdAt'],
        view.items,
      ),
  );
}
