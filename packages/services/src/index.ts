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
export { PlatformService } from './platform/service';

// ingest
export { IngestService, type IngestJobRequest } from './ingest/service';

// screening
export { ScreeningService } from './screening/service';

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
export { AnalyticsService } from './analytics/service';
