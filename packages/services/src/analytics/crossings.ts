import { fieldOfficeOf } from '@interdict/analytics';
import type { AnalyticsRepository, CrossingFilter } from '@interdict/store';
import { ServiceError } from '../errors';
import { rowsHref } from './links';
import type { CrossingPortsQuery, CrossingSeriesQuery } from './queries';
import { linkedSeries, withChange } from './series';
import type { CrossingPortsView, SeriesView } from './views';

// The BTS border-crossing views: monthly series and the ports on the map.

export async function crossingSeriesView(
  repo: AnalyticsRepository,
  q: CrossingSeriesQuery,
): Promise<SeriesView> {
  // Trucks, pedestrians and containers are not one unit: a sum over measures would be meaningless.
  if (q.group !== 'measure' && !q.measure) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      'choose a measure: crossings of different measures have different units',
      { details: { field: 'measure' } },
    );
  }
  const filter: CrossingFilter = {
    measure: q.measure,
    port: q.port,
    border: q.border,
    state: q.state,
    from: q.from,
    to: q.to,
  };
  const aggregates = await repo.crossingSeries(q.group, filter);
  const series = linkedSeries(
    'bts-crossings',
    aggregates,
    { group: q.group, filter: { ...filter } },
    (a) => a.value,
    () => ({}),
  ).map((s) => withChange(s));
  return { group: q.group, metric: q.measure ?? 'by measure', series };
}

export async function crossingPortsView(
  repo: AnalyticsRepository,
  q: CrossingPortsQuery,
): Promise<CrossingPortsView> {
  const filter = {
    measure: q.measure,
    border: q.border,
    state: q.state,
    port: q.port,
    from: q.from,
    to: q.to,
  };
  const items = (await repo.crossingPorts(filter)).map((p) => ({
    portCode: p.portCode,
    portName: p.portName,
    state: p.state,
    border: p.border,
    latitude: p.latitude,
    longitude: p.longitude,
    fieldOffice: fieldOfficeOf({ state: p.state, portName: p.portName }),
    value: p.value,
    rows: p.rows,
    rowsHref: rowsHref('bts-crossings', { ...filter, port: p.portCode }),
  }));
  return { measure: q.measure, items };
}
