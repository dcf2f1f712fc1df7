import { InterdictError } from '@interdict/core';

/** Codes the analytics package raises; each message is one line and names the offending line. */
export type AnalyticsErrorCode =
  'HEADER_MISMATCH' | 'MALFORMED_CSV' | 'INVALID_VALUE' | 'INVALID_ARGUMENT';

export class AnalyticsError extends InterdictError<AnalyticsErrorCode> {}
