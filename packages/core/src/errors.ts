/**
 * One error class for the whole product, with a machine-readable `code`.
 *
 * Each package narrows `code` to a literal union of its own (for example `LedgerErrorCode`), the
 * way sigstore-js's `verify` package does; the HTTP edge maps codes to RFC 9457 problem details and
 * the CLI prints `message` on one line. Domain code never throws plain `Error` for bad input.
 */
export class InterdictError<C extends string = string> extends Error {
  override readonly name = 'InterdictError';
  readonly code: C;
  /** Extra machine-readable facts (line number, field, limit) safe to show to the caller. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: C,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export function isInterdictError(value: unknown): value is InterdictError {
  return value instanceof InterdictError;
}

/** The codes `core` itself raises. */
export type CoreErrorCode =
  | 'CSV_MALFORMED'
  | 'CSV_HEADER_MISMATCH'
  | 'INPUT_TOO_LARGE'
  | 'INVALID_ARGUMENT'
  | 'JSON_NOT_CANONICALIZABLE';

export class CoreError extends InterdictError<CoreErrorCode> {}

/** A short, printable description of anything thrown, for logs and the CLI's one-line errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
