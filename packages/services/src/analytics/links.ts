import type { RowDataset } from '@interdict/store';

/**
 * Where the API lists a dataset's source rows (GET /api/analytics/rows/{dataset}). A figure's
 * link is that view with the figure's own filters, so following it reproduces exactly the rows
 * summed into the figure (DESIGN.md, Analytics: "every figure traceable to its source rows").
 */
export const SOURCE_ROWS_PATH = '/api/analytics/rows';

export type LinkFilter = Readonly<Record<string, string | number | undefined>>;

/** The source rows matching `filters` (unset and empty values are left out). */
export function rowsHref(dataset: RowDataset, filters: LinkFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters))
    if (v !== undefined && v !== '') q.set(k, String(v));
  return `${SOURCE_ROWS_PATH}/${dataset}?${q.toString()}`;
}

/**
 * The rows behind one month of one series: the view's filters without its period, narrowed to
 * the series' own value (when it is grouped by a filter field) and to that month.
 */
export function monthRowsHref(
  dataset: RowDataset,
  filter: LinkFilter,
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
