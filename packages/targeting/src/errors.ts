import { InterdictError } from '@interdict/core';

/** The codes the targeting package raises; the CLI maps each to exit code 3 (bad input). */
export type TargetingErrorCode =
  | 'BAD_ROWS'
  | 'BAD_MAPPING'
  | 'MODEL_VERSION'
  | 'MODEL_SCHEMA'
  | 'MODEL_MALFORMED'
  | 'INVALID_ARGUMENT'
  | 'NO_TRAINING_DATA';

export class TargetingError extends InterdictError<TargetingErrorCode> {}
