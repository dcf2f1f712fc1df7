import { parse, type Options } from 'csv-parse';
import { CoreError } from './errors';
import { printable } from './printable';

export interface CsvRow {
  /** 1-based line number in the source where the record starts (the header is line 1). */
  readonly line: number;
  /** Field values keyed by header name. */
  readonly fields: Readonly<Record<string, string>>;
  /**
   * How many fields the record had, and how many columns the header has (set by readCsv). They
   * differ only with `relaxColumnCount`, where the caller decides what such a row means.
   */
  readonly fieldCount?: number;
  readonly headerCount?: number;
}

export interface CsvReadOptions {
  /** Header names that must be present (extra columns are allowed unless `exactHeader`). */
  readonly requiredColumns?: readonly string[];
  /** Refuse a header that is not exactly this list, in this order. */
  readonly exactHeader?: readonly string[];
  /** Text encoding of byte chunks; OFAC's legacy files are latin1. */
  readonly encoding?: 'utf-8' | 'latin1';
  readonly delimiter?: string;
  /** Largest record accepted, in characters; protects against a runaway quoted field. */
  readonly maxRecordSize?: number;
  /** Accept rows with fewer or more fields than the header (they are reported, not fatal). */
  readonly relaxColumnCount?: boolean;
}

/**
 * Streams a CSV source as header-keyed rows with their line numbers, so that every error the
 * product reports can name the line. The source is any async iterable of chunks (a file stream,
 * a gunzip stream, an HTTP body); nothing here opens files.
 */
export async function* readCsv(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvRow> {
  const parserOptions: Options = {
    bom: true,
    columns: false,
    delimiter: options.delimiter ?? ',',
    relax_column_count: options.relaxColumnCount ?? false,
    relax_quotes: false,
    skip_empty_lines: true,
    info: true,
    max_record_size: options.maxRecordSize ?? 1_000_000,
  };
  const parser = parse(parserOptions);
  const decoder = new TextDecoder(options.encoding ?? 'utf-8');

  // Feed the parser from the source without buffering the whole input.
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        // Stop reading once the consumer has gone away (the parser is destroyed below).
        if (parser.destroyed) break;
        const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
        if (!parser.write(text) && !parser.destroyed)
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off('drain', done);
              parser.off('close', done);
              resolve();
            };
            parser.on('drain', done);
            parser.on('close', done);
          });
      }
      if (!parser.destroyed) {
        const tail = decoder.decode();
        if (tail) parser.write(tail);
        parser.end();
      }
    } catch (error) {
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();

  let header: string[] | undefined;
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const { record, info } = item;
      if (!header) {
        header = record.map((h) => h.trim());
        checkHeader(header, options);
        continue;
      }
      const fields: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) fields[header[i] as string] = record[i] ?? '';
      // `info.lines` is the line the record ends on; a record spanning lines starts earlier.
      yield { line: info.lines, fields, fieldCount: record.length, headerCount: header.length };
    }
  } catch (error) {
    if (error instanceof CoreError) throw error;
    // csv-parse quotes the offending field in its message: escaped, it cannot drive a terminal.
    const message = printable(error instanceof Error ? error.message : String(error), 300);
    const lineMatch = /line (\d+)/i.exec(message);
    throw new CoreError('CSV_MALFORMED', `malformed CSV: ${message}`, {
      cause: error,
      details: lineMatch ? { line: Number(lineMatch[1]) } : {},
    });
  } finally {
    // A consumer that stops early (break, or a thrown validation error) leaves the feed waiting
    // for 'drain'; destroying the parser releases it instead of hanging the process.
    parser.destroy();
    await feed;
  }
  if (!header) throw new CoreError('CSV_HEADER_MISMATCH', 'the CSV is empty: no header line');
}

function checkHeader(header: readonly string[], options: CsvReadOptions): void {
  if (options.exactHeader) {
    const expected = options.exactHeader;
    if (header.length !== expected.length || header.some((h, i) => h !== expected[i])) {
      throw new CoreError(
        'CSV_HEADER_MISMATCH',
        `unexpected CSV header: expected "${expected.join(',')}", found "${header.join(',')}"`,
        { details: { line: 1, expected, found: header } },
      );
    }
  }
  const missing = (options.requiredColumns ?? []).filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CoreError(
      'CSV_HEADER_MISMATCH',
      `CSV header is missing column(s): ${missing.join(', ')}`,
      {
        details: { line: 1, missing, found: header },
      },
    );
  }
}
