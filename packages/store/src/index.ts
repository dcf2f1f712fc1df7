export {
  openStore,
  DEFAULT_DATA_DIR,
  MEMORY,
  type OpenStoreOptions,
  type StoreLogger,
} from './open';
export { type Store, type Engine } from './store';
export { PGliteDialect } from './pglite-dialect';
export { StoreError, type StoreErrorCode } from './errors';
export {
  ROLES,
  ORGANISATION_KINDS,
  isRole,
  isOrganisationKind,
  isInstanceAdmin,
  grantableRoles,
  type Actor,
  type Role,
  type OrganisationKind,
} from './actor';
export type { Database, PlatformTables } from './database';
export type { ForwardMigration, MigrationSet } from './migrations/types';
export type {
  Organisation,
  User,
  ApiToken,
  Job,
  JobStatus,
  AuditEvent,
  Page,
} from './repositories/model';
export { recordAudit, type AuditInput } from './repositories/audit';
export { inTransaction } from './repositories/tx';
export {
  SESSION_LIFETIME_MS,
  type SignedIn,
  type ResolvedSession,
  type RequestMeta,
  type SessionInfo,
} from './repositories/auth';
export { MAX_PAGE_LIMIT } from './repositories/page';
export { MIN_PASSWORD_LENGTH, type NewUser, type UserChange } from './repositories/users';
export { MAX_TOKEN_DAYS, type AuthenticatedToken } from './repositories/tokens';
export { JOB_READER_ROLES } from './repositories/jobs';
export { type BlobStore } from './blobs';
export {
  registerIngestKind,
  getIngestKind,
  listIngestKinds,
  ingestFlagName,
  type IngestKind,
  type IngestContext,
  type IngestOption,
  type IngestLedgerRecord,
} from './ingest/registry';
export { runIngestJob, startIngestJob, INGEST_ROLES, type IngestRequest } from './ingest/run';
export { maybeGunzip } from './ingest/gunzip';
export {
  bootstrapStore,
  DEFAULT_ADMIN_EMAIL,
  type BootstrapOptions,
  type BootstrapResult,
} from './bootstrap';
export { csrfTokenFor, API_TOKEN_PREFIX } from './secrets';
export * from './analytics/repository';
export * from './ledger/index';
export * from './screening/index';
export * from './targeting/index';
// Worker-thread start-up shared by the pools (moving to packages/services with them).
export { tsxWorkerCode, workerCountSetting } from './worker-threads';
