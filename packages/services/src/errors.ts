import { InterdictError } from '@interdict/core';

/** The codes the services raise themselves (the store's, the domain packages' pass through). */
export type ServiceErrorCode =
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'STORE_UNAVAILABLE'
  | 'LEDGER_PENDING';

export class ServiceError extends InterdictError<ServiceErrorCode> {}

/** What an error code means at each edge: the HTTP status (RFC 9457 problem) and the CLI exit code. */
export interface ErrorMeaning {
  readonly status: number;
  /** sysexits-style code the CLI ends with (see packages/cli/src/exit-codes.ts). */
  readonly exit: 1 | 2 | 3 | 4 | 5 | 70;
}

const bad = { status: 400, exit: 3 } as const;
const unprocessable = { status: 422, exit: 3 } as const;
const unavailable = { status: 503, exit: 4 } as const;
const internal = { status: 500, exit: 70 } as const;

/**
 * The one table from error codes to HTTP statuses and CLI exit codes (issue 12 §3): every code a
 * package raises that is not plain bad input (400, exit 3) is listed here, once. The server's
 * problem details and the CLI's exit codes both read it; a code missing here is bad input.
 */
export const ERROR_TABLE: Readonly<Record<string, ErrorMeaning>> = {
  // platform
  UNAUTHENTICATED: { status: 401, exit: 5 },
  FORBIDDEN: { status: 403, exit: 5 },
  NOT_FOUND: { status: 404, exit: 3 },
  CONFLICT: { status: 409, exit: 3 },
  INVALID_ARGUMENT: bad,
  INPUT_TOO_LARGE: { status: 413, exit: 3 },
  UNKNOWN_INGEST_KIND: { status: 400, exit: 2 },
  INGEST_FAILED: unprocessable,
  INGEST_CANCELLED: { status: 409, exit: 3 },
  MIGRATION_FAILED: { status: 500, exit: 4 },
  STORE_UNAVAILABLE: unavailable,
  // ledger
  INDEX_OUT_OF_RANGE: { status: 404, exit: 3 },
  TILE_PATH_INVALID: { status: 404, exit: 3 },
  SEQUENCER_CLOSED: unavailable,
  LEDGER_NOT_SEQUENCER: unavailable,
  LEDGER_PENDING: unavailable,
  STORAGE_INCONSISTENT: internal,
  // screening
  SCREENING_UNAVAILABLE: unavailable,
  SCREENING_WARMING_UP: unavailable,
  NAME_EMPTY: bad,
  NAME_TOO_LONG: bad,
  INVALID_QUERY: bad,
  LIST_MALFORMED: unprocessable,
  LIST_ENCODING: unprocessable,
  LIST_EMPTY: unprocessable,
  // targeting
  BAD_MAPPING: unprocessable,
  // analytics: a dataset file that does not parse (the error names its line), as for lists
  HEADER_MISMATCH: unprocessable,
  MALFORMED_CSV: unprocessable,
  INVALID_VALUE: unprocessable,
  // ingest
};

/** The HTTP status of an error code (bad input unless the table says otherwise). */
export function httpStatusFor(code: string): number {
  return ERROR_TABLE[code]?.status ?? 400;
}

/** The CLI exit code of an error code (bad input unless the table says otherwise). */
export function exitCodeFor(code: string): ErrorMeaning['exit'] {
  return ERROR_TABLE[code]?.exit ?? 3;
}
