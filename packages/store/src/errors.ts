import { InterdictError } from '@interdict/core';

/** The codes the store raises; the server maps them to HTTP statuses (problem details). */
export type StoreErrorCode =
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'UNKNOWN_INGEST_KIND'
  | 'INGEST_FAILED'
  | 'INGEST_CANCELLED'
  | 'MIGRATION_FAILED'
  | 'STORE_UNAVAILABLE';

export class StoreError extends InterdictError<StoreErrorCode> {}
