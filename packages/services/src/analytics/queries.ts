import type { TrafficUnit } from '@interdict/analytics';
import type {
  CrossingFilter,
  CrossingGroup,
  PlaceKind,
  SeizureFilter,
  SeizureGroup,
  SourceRowsFilter,
  UnodcFilter,
} from '@interdict/store';

// What each analytics view is asked: the filters live in the query string at the edge, so that a
// URL is a shareable view. The edges validate them (packages/server/src/modules/analytics); the
// store checks months again before they reach SQL.

export type SeizureMetric = 'pounds' | 'events';

export interface SeizureSeriesQuery extends SeizureFilter {
  group: SeizureGroup;
  metric: SeizureMetric;
}

export interface UnusualMonthsQuery extends SeizureSeriesQuery {
  /** Robust z-score from which a month is unusual (Iglewicz & Hoaglin 1993 suggest 3.5). */
  threshold: number;
  /** Smallest |value − expected| that counts; default 1% of the view's typical monthly total. */
  minimum?: number | undefined;
}

export interface ForecastQuery extends SeizureSeriesQuery {
  /** Months ahead. */
  horizon: number;
  /** Nominal coverage of the intervals, e.g. 0.8. */
  level: number;
}

export interface DrugMixQuery extends SeizureFilter {
  /** A US federal fiscal year (October to September); overrides `from` and `to`. */
  fiscalYear?: number | undefined;
}

/** Border regions (US-Mexico ↔ Southwest Border, US-Canada ↔ Northern Border) or OFO field offices. */
export type TrafficArea = 'region' | 'field-office';

export interface SeizureRatesQuery {
  unit: TrafficUnit;
  area: TrafficArea;
  drug?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface CrossingSeriesQuery extends CrossingFilter {
  group: CrossingGroup;
}

export interface CrossingPortsQuery extends CrossingFilter {
  measure: string;
}

export type UnodcQuery = UnodcFilter;

export interface UnodcSharesQuery {
  drug: string;
  /** Default: the latest year with data for the drug. */
  year?: number | undefined;
}

export interface PlacesQuery {
  kind: PlaceKind;
  /** ISO 3166 alpha-2 (UN/LOCODE's country part). */
  country?: string | undefined;
}

export interface SourceRowsQuery extends SourceRowsFilter {
  limit: number;
  offset: number;
}

export interface DatasetChangesQuery {
  jobId?: string | undefined;
  kind?: string | undefined;
  limit: number;
}
