import type {
  Forecast,
  RatePoint,
  TRAFFIC_UNITS,
  UnusualMonth,
  UnusualMonthsReport,
} from '@interdict/analytics';
import type {
  CrossingPortTotal,
  DatasetRow,
  Place,
  PlaceKind,
  RowDataset,
  UnodcTotal,
  AnalyticsJsonRow,
  AnalyticsChangeKind,
} from '@interdict/store';

// What each analytics view answers. Every figure carries the number of source rows summed into
// it and `rowsHref`, the API URL listing exactly those rows (DESIGN.md, Analytics: "every figure
// traceable to its source rows").

/** One month of a series. */
export interface SeriesPoint {
  month: string;
  value: number;
  /** CBP series: both measures, whichever `value` shows. */
  events?: number;
  pounds?: number;
  /** Source rows summed into this figure. */
  rows: number;
  rowsHref: string;
}

/** One monthly series, a regular month grid, with its change on a year before and yearly totals. */
export interface SeriesWithChange<P extends SeriesPoint = SeriesPoint> {
  key: string;
  points: P[];
  yearOverYear: { month: string; changeRatio: number | null }[];
  annual: { year: number; value: number; months: number }[];
}

export interface SeriesView {
  group: string;
  metric: string;
  series: SeriesWithChange[];
}

/** A CBP seizure month: events and pounds, whichever the series' value shows. */
export interface SeizurePoint extends SeriesPoint {
  events: number;
  pounds: number;
}

export interface DrugShare {
  drug: string;
  pounds: number;
  poundsShare: number;
  events: number;
  eventsShare: number;
  rows: number;
  rowsHref: string;
}

export interface DrugMixView {
  from: string | null;
  to: string | null;
  items: DrugShare[];
}

export interface SeizureRate extends RatePoint {
  unit: string;
  /** The seizure rows behind the rate. */
  rowsHref: string;
  /** The crossing rows behind the traffic. */
  trafficHref: string;
}

export interface SeizureRatesView {
  unit: string;
  area: string;
  measures: readonly string[];
  /** The CBP components whose seizures are counted (those at the ports). */
  components: readonly string[];
  items: SeizureRate[];
}

export interface UnusualMonthView extends UnusualMonth {
  key: string;
  rows: number;
  rowsHref: string;
}

export interface UnusualMonthsView {
  group: string;
  metric: string;
  threshold: number;
  /** The smallest gap that counted, in the metric's unit, and where it came from. */
  minimum: number;
  minimumRule: UnusualMonthsReport['minimumRule'];
  /** Months far enough from their baseline but with too small a gap to matter in the view. */
  belowMinimum: number;
  /** Most unusual first. */
  items: UnusualMonthView[];
  baselines: {
    key: string;
    points: { month: string; value: number; expected: number; score: number }[];
  }[];
}

export interface ForecastView {
  group: string;
  metric: string;
  items: { key: string; history: SeizurePoint[]; forecast: Forecast }[];
}

export interface CrossingPortView extends CrossingPortTotal {
  fieldOffice: string | null;
  rowsHref: string;
}

export interface CrossingPortsView {
  measure: string;
  items: CrossingPortView[];
}

export interface UnodcTotalView extends UnodcTotal {
  rowsHref: string;
}

export interface UnodcTotalsView {
  items: UnodcTotalView[];
  /** The sum over every country shown, per year. */
  world: { year: number; kilograms: number }[];
}

export interface RegionalShare {
  region: string;
  kilograms: number;
  share: number;
  rowsHref: string;
}

export interface UnodcSharesView {
  drug: string;
  year: number;
  items: RegionalShare[];
}

export interface CountryTrend {
  countryCode: string;
  country: string;
  firstYear: number;
  firstKilograms: number;
  lastYear: number;
  lastKilograms: number;
  slopePerYear: number;
  cagr: number | null;
  rowsHref: string;
}

export interface UnodcTrendsView {
  drug: string;
  /** Steepest rise first. */
  items: CountryTrend[];
}

export interface PlacesView {
  kind: PlaceKind;
  items: Place[];
}

/**
 * A page of one dataset's source rows; `nextCursor` is the offset of the next page. Over several
 * datasets it is a union, each page's rows typed by its `dataset`.
 */
export type SourceRowsView<D extends RowDataset = RowDataset> = {
  [K in D]: { dataset: K; total: number; items: DatasetRow<K>[]; nextCursor?: string };
}[D];

export interface AnalyticsFacets {
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
  /** The BTS measures each traffic unit sums. */
  trafficUnits: typeof TRAFFIC_UNITS;
}

export interface DatasetReleaseView {
  kind: string;
  release: string;
  sourceName: string;
  sha256: string;
  rowCount: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
  jobId: string | null;
  ingestedAt: string;
}

export interface DatasetChangeView {
  seq: number;
  jobId: string | null;
  kind: string;
  release: string;
  change: AnalyticsChangeKind;
  rowKey: string;
  before: AnalyticsJsonRow | null;
  after: AnalyticsJsonRow | null;
  createdAt: string;
}
