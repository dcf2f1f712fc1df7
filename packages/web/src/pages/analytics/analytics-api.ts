// Typed calls to the analytics API (packages/server/src/modules/analytics.ts), through the
// console's one client. Every view's filters are plain query parameters, the same ones the
// page keeps in its URL, so a view, its CSV and its API call share one description. The series
// are typed from the OpenAPI document (src/api-types.ts); the other answers by hand, as the
// server declares them loosely (`Table` and the facets' open object in its analytics.ts).
import { http, withQuery, type QueryValue, type Schemas } from '../../api';

export type Query = Record<string, QueryValue>;

export type SeriesResponse = Schemas['AnalyticsSeries'];
export type Series = SeriesResponse['series'][number];
export type Point = Series['points'][number];
export interface MixItem {
  drug: string;
  pounds: number;
  poundsShare: number;
  events: number;
  eventsShare: number;
  rows: number;
  rowsHref: string;
}
export interface RateItem {
  area: string;
  month: string;
  events: number;
  pounds: number;
  traffic: number;
  eventsPer100k: number | null;
  poundsPer100k: number | null;
  rowsHref: string;
  trafficHref: string;
}
export interface UnusualItem {
  key: string;
  month: string;
  value: number;
  expected: number;
  /** value − expected (the analytics package's UnusualMonth, spread into each item). */
  gap: number;
  /** value ÷ expected; null when nothing was expected. */
  ratio: number | null;
  /** The range of ordinary values: within it the month would not have been flagged. */
  usualLow: number;
  usualHigh: number;
  /** The series' robust standard deviation, the unit of `score`. */
  spread: number;
  score: number;
  direction: 'high' | 'low';
  severity: 'notable' | 'strong' | 'extreme';
  rows: number;
  rowsHref: string;
}
export interface ForecastItem {
  key: string;
  history: Point[];
  forecast: {
    method: string;
    rmse: number;
    level: number;
    points: { month: string; value: number; lower: number; upper: number }[];
  };
}
export interface PortItem {
  portCode: string;
  portName: string;
  state: string;
  border: string;
  latitude: number | null;
  longitude: number | null;
  fieldOffice: string | null;
  value: number;
  rows: number;
  rowsHref: string;
}
export interface UnodcTotal {
  countryCode: string;
  country: string;
  region: string;
  subRegion: string;
  drug: string;
  year: number;
  kilograms: number;
  rows: number;
  rowsHref: string;
}
export interface Place {
  id: string;
  name: string;
  country: string | null;
  latitude: number;
  longitude: number;
  detail: string | null;
  sourceName: string;
  sourceLine: number;
}
export interface Facets {
  seizures: {
    drug: string[];
    region: string[];
    component: string[];
    aor: string[];
    months: [string, string] | null;
  };
  crossings: {
    measure: string[];
    border: string[];
    ports: { code: string; name: string; state: string }[];
    months: [string, string] | null;
  };
  unodc: { drug: string[]; drugGroup: string[]; region: string[]; years: number[] };
}

const base = '/api/analytics';

export const analyticsApi = {
  // server schema is loose: typed by hand until its response schema is
  facets: () => http.get<Facets>(`${base}/facets`),
  seizureSeries: (q: Query) => http.get<SeriesResponse>(`${base}/seizures/series`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  mix: (q: Query) =>
    http.get<{ from: string | null; to: string | null; items: MixItem[] }>(`${base}/seizures/mix`, {
      query: q,
    }),
  // server schema is loose: typed by hand until its response schema is
  rates: (q: Query) =>
    http.get<{
      unit: string;
      area: string;
      measures: string[];
      /** CBP components whose land seizures were counted (not yet sent by every server). */
      components?: string[];
      items: RateItem[];
    }>(`${base}/seizures/rates`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  unusual: (q: Query) =>
    http.get<{
      threshold: number;
      /** The smallest gap that counted, in the metric's unit (unusualMonthsAcross). */
      minimum?: number;
      minimumRule?:
        { kind: 'given' } | { kind: 'share-of-view'; share: number; typicalTotal: number };
      /** Months that passed the score test but not the minimum gap. */
      belowMinimum?: number;
      items: UnusualItem[];
      baselines: {
        key: string;
        points: { month: string; value: number; expected: number; score: number }[];
      }[];
    }>(`${base}/seizures/unusual`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  forecast: (q: Query) =>
    http.get<{ items: ForecastItem[] }>(`${base}/seizures/forecast`, { query: q }),
  crossingSeries: (q: Query) => http.get<SeriesResponse>(`${base}/crossings/series`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  crossingPorts: (q: Query) =>
    http.get<{ measure: string; items: PortItem[] }>(`${base}/crossings/ports`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  unodcTotals: (q: Query) =>
    http.get<{ items: UnodcTotal[]; world: { year: number; kilograms: number }[] }>(
      `${base}/unodc/totals`,
      { query: q },
    ),
  // server schema is loose: typed by hand until its response schema is
  unodcShares: (q: Query) =>
    http.get<{
      drug: string;
      year: number;
      items: { region: string; kilograms: number; share: number; rowsHref: string }[];
    }>(`${base}/unodc/shares`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  unodcTrends: (q: Query) =>
    http.get<{
      drug: string;
      items: {
        countryCode: string;
        country: string;
        firstYear: number;
        firstKilograms: number;
        lastYear: number;
        lastKilograms: number;
        slopePerYear: number;
        cagr: number | null;
        rowsHref: string;
      }[];
    }>(`${base}/unodc/trends`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  places: (q: Query) => http.get<{ kind: string; items: Place[] }>(`${base}/places`, { query: q }),
  // server schema is loose: typed by hand until its response schema is
  rows: (dataset: string, q: Query) =>
    http.get<{ dataset: string; total: number; items: Record<string, unknown>[] }>(
      `${base}/rows/${encodeURIComponent(dataset)}`,
      { query: q },
    ),
};

/** The API URL of a view as CSV (the browser sends the session cookie with the download). */
export function csvHref(path: string, q: Query): string {
  return withQuery(`${base}/${path}`, { ...q, format: 'csv' });
}

/**
 * The console page listing a figure's source rows, from the API link the server attached to it
 * (`/api/analytics/rows/<dataset>?…` → `/analytics/rows?dataset=<dataset>&…`).
 */
export function rowsPageHref(apiHref: string): string {
  const url = new URL(apiHref, 'http://x');
  const dataset = url.pathname.split('/').pop() ?? '';
  url.searchParams.set('dataset', dataset);
  return `/analytics/rows?${url.searchParams.toString()}`;
}
