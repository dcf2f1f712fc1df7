import type { AnalyticsRepository, RowDataset } from '@interdict/store';
import type { DatasetChangesQuery, PlacesQuery, SourceRowsQuery } from './queries';
import type { DatasetChangeView, DatasetReleaseView, PlacesView, SourceRowsView } from './views';

// Where the figures come from: the source rows behind a figure (each with its file and line),
// the loaded releases, the change log of revised files, and the reference places on the map.

export async function sourceRowsView<D extends RowDataset>(
  repo: AnalyticsRepository,
  dataset: D,
  q: SourceRowsQuery,
): Promise<SourceRowsView<D>> {
  const { limit, offset, ...filter } = q;
  const page = await repo.sourceRows(dataset, filter, { limit, offset });
  const next = offset + page.items.length;
  return {
    dataset,
    total: page.total,
    items: page.items,
    ...(next < page.total ? { nextCursor: String(next) } : {}),
  };
}

export async function releasesView(repo: AnalyticsRepository): Promise<DatasetReleaseView[]> {
  return (await repo.sources()).map((s) => ({ ...s, ingestedAt: s.ingestedAt.toISOString() }));
}

export async function changesView(
  repo: AnalyticsRepository,
  q: DatasetChangesQuery,
): Promise<DatasetChangeView[]> {
  const changes = await repo.changes({ jobId: q.jobId, kind: q.kind, limit: q.limit });
  return changes.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() }));
}

export async function placesView(repo: AnalyticsRepository, q: PlacesQuery): Promise<PlacesView> {
  return { kind: q.kind, items: await repo.places(q.kind, q.country) };
}
