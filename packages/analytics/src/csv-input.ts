import { CoreError, readCsv, type CsvRow } from '@interdict/core';
import { AnalyticsError } from './errors';

/** What every parser accepts: text or byte chunks, already decompressed by the caller. */
export type TextSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ParseOptions {
  /** Name used in error messages (usually the file name). */
  readonly sourceName?: string;
}

/**
 * Rows of a CSV whose header must be exactly `header`: a changed header means the publisher
 * changed the layout, and guessing columns would silently mis-file figures. Core's CSV errors are
 * re-raised as AnalyticsError with the line number in the message.
 */
export async function* rowsWithHeader(
  source: TextSource,
  header: readonly string[],
  options: ParseOptions & { relaxColumnCount?: boolean },
): AsyncGenerator<CsvRow> {
  const name = options.sourceName ?? 'input';
  try {
    for await (const row of readCsv(source, {
      exactHeader: header,
      relaxColumnCount: options.relaxColumnCount ?? false,
    })) {
      yield row;
    }
  } catch (error) {
    if (error instanceof AnalyticsError) throw error;
    if (error instanceof CoreError) {
      const line = typeof error.details?.line === 'number' ? error.details.line : undefined;
      const where = line === undefined ? name : `${name} line ${line}`;
      throw new AnalyticsError(
        error.code === 'CSV_HEADER_MISMATCH' ? 'HEADER_MISMATCH' : 'MALFORMED_CSV',
        `${where}: ${error.message}`,
        { cause: error, details: { ...error.details, line, source: name } },
      );
    }
    throw error;
  }
}

export function invalid(
  options: ParseOptions,
  line: number,
  field: string,
  value: string,
  expected: string,
): AnalyticsError {
  const name = options.sourceName ?? 'input';
  return new AnalyticsError(
    'INVALID_VALUE',
    `${name} line ${line}: field "${field}" is "${value}", expected ${expected}`,
    { details: { source: name, line, field, value } },
  );
}

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A finite decimal number (no thousands separators, no blanks), or an INVALID_VALUE error. */
export function decimal(
  options: ParseOptions,
  row: CsvRow,
  field: string,
  { min }: { min?: number } = {},
): number {
  const raw = row.fields[field] ?? '';
  const text = raw.trim();
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || (min !== undefined && value < min)) {
    throw invalid(
      options,
      row.line,
      field,
      raw,
      min === undefined ? 'a number' : `a number ≥ ${min}`,
    );
  }
  return value;
}

/** A non-negative integer count, or an INVALID_VALUE error. */
export function count(options: ParseOptions, row: CsvRow, field: string): number {
  const raw = row.fields[field] ?? '';
  if (!/^\d+$/.test(raw.trim())) throw invalid(options, row.line, field, raw, 'a whole number ≥ 0');
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value)) throw invalid(options, row.line, field, raw, 'a safe integer');
  return value;
}

/** An optional decimal in [min, max]: blank (or a single space, as WPI writes it) is null. */
export function optionalCoordinate(
  options: ParseOptions,
  row: CsvRow,
  field: string,
  limit: number,
): number | null {
  const raw = row.fields[field] ?? '';
  if (raw.trim() === '') return null;
  const value = DECIMAL.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value) || Math.abs(value) > limit) {
    throw invalid(options, row.line, field, raw, `a coordinate within ±${limit}`);
  }
  return value;
}

export function required(options: ParseOptions, row: CsvRow, field: string): string {
  const raw = row.fields[field] ?? '';
  if (raw.trim() === '') throw invalid(options, row.line, field, raw, 'a value');
  return raw.trim();
}

/** The field's text, as the source spells it, when `pattern` matches it. */
export function matching(
  options: ParseOptions,
  row: CsvRow,
  field: string,
  pattern: RegExp,
  expected: string,
): string {
  const raw = row.fields[field] ?? '';
  if (!pattern.test(raw)) throw invalid(options, row.line, field, raw, expected);
  return raw;
}

/** The field's text when it is exactly one of a code list's values (no case folding). */
export function oneOf<T extends string>(
  options: ParseOptions,
  row: CsvRow,
  field: string,
  allowed: ReadonlySet<T>,
  expected: string,
): T {
  const raw = row.fields[field] ?? '';
  if (!(allowed as ReadonlySet<string>).has(raw)) {
    throw invalid(options, row.line, field, raw, expected);
  }
  return raw as T;
}
