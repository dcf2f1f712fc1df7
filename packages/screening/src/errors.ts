import { InterdictError } from '@interdict/core';

/** The codes `screening` raises; the CLI maps them to exit code 3 (bad input). */
export type ScreeningErrorCode =
  | 'LIST_MALFORMED'
  | 'LIST_ENCODING'
  | 'LIST_EMPTY'
  | 'NAME_EMPTY'
  | 'NAME_TOO_LONG'
  | 'INVALID_QUERY';

export class ScreeningError extends InterdictError<ScreeningErrorCode> {}

/** Longest name accepted, in characters: real names are < 300; this stops a 10 MB "name". */
export const MAX_NAME_LENGTH = 1_000;
