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
export { TargetingService } from './targeting/service';

// analytics
export { AnalyticsService } from './analytics/service';
