export { AnalyticsError, type AnalyticsErrorCode } from './errors';
export type { TextSource, ParseOptions } from './csv-input';
export {
  type Month,
  MONTH_ABBREVIATIONS,
  monthNumber,
  formatMonth,
  parseMonth,
  addMonths,
  monthsBetween,
  fiscalToCalendarMonth,
  fiscalYearOf,
} from './months';
export {
  BTS_CROSSINGS_HEADER,
  BTS_PORTS_HEADER,
  BTS_MEASURES,
  BTS_BORDERS,
  type BtsMeasure,
  type BtsBorder,
  type BorderCrossing,
  type BorderPort,
  parseBorderCrossings,
  parseBorderPorts,
} from './bts';
export {
  CBP_SEIZURES_HEADER,
  CBP_COMPONENTS,
  CBP_REGIONS,
  type CbpComponent,
  type CbpRegion,
  type CbpSeizure,
  type CbpRelease,
  parseCbpSeizures,
  fiscalCoverage,
  cbpWinningRelease,
  mergeCbpReleases,
} from './cbp';
export { UNODC_SEIZURES_HEADER, type UnodcSeizure, parseUnodcSeizures } from './unodc';
export {
  UNLOCODE_HEADER,
  type WorldPort,
  type UnLocation,
  parseWorldPortIndex,
  parseUnlocode,
} from './ports';
export {
  type SeriesPoint,
  type MonthlySeries,
  type YearOverYearPoint,
  type MixShare,
  monthlySeries,
  yearOverYear,
  annualTotals,
  shares,
  median,
  linearTrend,
} from './series';
export {
  type UnusualMonth,
  type UnusualMonthOptions,
  type UnusualMonthsReport,
  type BaselinePoint,
  DEFAULT_MINIMUM_SHARE,
  robustSeasonalBaseline,
  unusualMonths,
  unusualMonthsAcross,
} from './anomaly';
export { type Forecast, type ForecastPoint, forecastSeries, normalQuantile } from './forecast';
export {
  TRAFFIC_UNITS,
  PORT_SEIZURES,
  REGION_BORDER,
  type TrafficUnit,
  type RatePoint,
  fieldOfficeOf,
  seizuresPerTraffic,
} from './traffic';
export {
  type CountryTotal,
  type Trend,
  unodcCountryTotals,
  regionalShares,
  yearlyTrend,
} from './unodc-analysis';
