export {
  createServices,
  type Services,
  type ServicesOptions,
  type SummaryItem,
  type SummarySource,
} from './services';
export { servicesSettingsFromEnv, resolveSettings, type ServicesSettings } from './settings';
export { ledgerSettingsFromEnv, type LedgerSettings } from './ledger/settings';
export { ledgerVkeys } from './ledger/keys';
export {
  LedgerService,
  LEDGER_READER_ROLES,
  LEDGER_WRITER_ROLES,
  type LedgerRecord,
  type LedgerReceipt,
  type LedgerEntryView,
  type LedgerInfo,
  type LedgerView,
  type RecordFn,
} from './ledger/service';
export { requireRole, isInstanceAdmin } from './access';
export {
  ServiceError,
  ERROR_TABLE,
  httpStatusFor,
  exitCodeFor,
  type ServiceErrorCode,
  type ErrorMeaning,
} from './errors';
// platform
export { PlatformService, type PlatformDeps } from './platform/service';
export type { RequestMeta } from './platform/deps';
export { OrganisationsService } from './platform/organisations';
export { UsersService } from './platform/users';
export { TokensService } from './platform/tokens';
export { SessionsService } from './platform/sessions';
export { AuditService } from './platform/audit';
export { USER_RECORD_TYPE, TOKEN_RECORD_TYPE, type DecisionMaker } from './platform/records';

// ingest
export {
  IngestService,
  type IngestJobRequest,
  type IngestUpload,
  type IngestKindInfo,
} from './ingest/service';

// screening
export { ScreeningService, type ScreeningDeps, type ListedEntityView } from './screening/service';
export {
  SCREENING_READER_ROLES,
  SCREENING_DECIDER_ROLES,
  SCREENING_MONITOR_ROLES,
  SCREENING_MONITOR_READER_ROLES,
  SCREENING_MONITOR_SETTINGS_ROLES,
} from './screening/roles';
export {
  SCREENING_DECISION_RECORD,
  screeningDecisionRecord,
  type ScreeningDecisionInput,
} from './screening/decisions';
export { Monitoring } from './screening/monitoring';
export { indexScreener, type PartyScreener } from './screening/party-screener';
export { ScreeningServiceError, type ScreeningServiceErrorCode } from './screening/errors';
export {
  ScreeningWorkerPool,
  screeningWorkerCount,
  type PoolSearchOptions,
  type ScreeningGeneration,
  type ScreeningPoolSource,
} from './screening/worker-pool';
export { compactHit, type PooledHit } from './screening/worker-protocol';
export { screenBatch, BATCH_YIELD_ABOVE, BATCH_SLICE_MS } from './screening/screening-batch';
export { screeningVersionTtlMs } from './screening/version-key';

// targeting
export {
  TargetingService,
  type InspectionInput,
  type ReleasedDeclaration,
  type TargetingDeps,
} from './targeting/service';
export {
  TARGETING_INSPECTOR_ROLES,
  TARGETING_MANAGER_ROLES,
  TARGETING_READER_ROLES,
  TARGETING_RELEASER_ROLES,
} from './targeting/roles';
export { TARGETING_RECORD_TYPES, TARGETING_SUBJECT_TYPES } from './targeting/records';
export type { DayScoring, DayScoringInput } from './targeting/day-scoring';
export type {
  DeclarationDetail,
  DeclarationRelease,
  QueueItem,
  QueueQuery,
  QueueSort,
} from './targeting/queue';
export type { ScoreExplanation } from './targeting/models';
export {
  EVALUATION_MINIMUM,
  type EvaluationFigures,
  type ModelEvaluation,
} from './targeting/evaluation';
export type { TrainModelInput, TrainingStatus } from './targeting/training';
export {
  TargetingWorkers,
  targetingWorkerSettingsFromEnv,
  type TargetingWorkerSettings,
} from './targeting/workers';
export {
  SCORE_POOL_MIN_ROWS,
  ScorePool,
  scoreDeclarationsInWorkers,
  scoreMatrixInWorkers,
  scoringWorkerCount,
  type ScorePoolOptions,
} from './targeting/score-pool';
export {
  TrainingPool,
  trainTargetingModelInWorkers,
  trainTargetingModelOnPool,
  trainingWorkerCount,
} from './targeting/train-pool';
export { partyNameKey, watchlistRaiser } from './targeting/watchlist';

// analytics
export { AnalyticsService, ANALYTICS_READER_ROLES, type AnalyticsDeps } from './analytics/service';
export { SOURCE_ROWS_PATH } from './analytics/links';
export type {
  CrossingPortsQuery,
  CrossingSeriesQuery,
  DatasetChangesQuery,
  DrugMixQuery,
  ForecastQuery,
  PlacesQuery,
  SeizureMetric,
  SeizureRatesQuery,
  SeizureSeriesQuery,
  SourceRowsQuery,
  TrafficArea,
  UnodcQuery,
  UnodcSharesQuery,
  UnusualMonthsQuery,
} from './analytics/queries';
export type {
  AnalyticsFacets,
  CountryTrend,
  CrossingPortView,
  CrossingPortsView,
  DatasetChangeView,
  DatasetReleaseView,
  DrugMixView,
  DrugShare,
  ForecastView,
  PlacesView,
  RegionalShare,
  SeizurePoint,
  SeizureRate,
  SeizureRatesView,
  SeriesPoint,
  SeriesView,
  SeriesWithChange,
  SourceRowsView,
  UnodcSharesView,
  UnodcTotalView,
  UnodcTotalsView,
  UnodcTrendsView,
  UnusualMonthView,
  UnusualMonthsView,
} from './analytics/views';
export {
  ANALYTICS_RELEASE_RECORD,
  CROSSING_GROUPS,
  ROW_DATASETS,
  SEIZURE_GROUPS,
  type AnalyticsReleaseRecord,
  type AnalyticsReleaseInForce,
  type CrossingGroup,
  type DatasetRow,
  type PlaceKind,
  type RowDataset,
  type SeizureGroup,
} from '@interdict/store';
