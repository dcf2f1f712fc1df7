import { readCsv } from '@interdict/core';
import {
  parseColumnMapping,
  parseDeclarations,
  TargetingError,
  type ColumnMapping,
  type RowProblem,
} from '@interdict/targeting';
import type { Actor } from '../actor';
import { StoreError } from '../errors';
import { registerIngestKind } from '../ingest/registry';
import type { Store } from '../store';
import { targetingRepository } from './repository';

/** How many of a skipping job's row problems its summary lists (the rest are counted). */
export const SKIPPED_LISTED = 100;

/** What a declarations job does with a row it cannot read (issue 6: "skipped or refused per a flag"). */
export type BadRowPolicy = 'skip' | 'refuse';

export interface IngestDeclarationsOptions {
  /** Another schema's column mapping; without it the header must be one of the KCS releases'. */
  readonly mapping?: ColumnMapping;
  /**
   * `refuse` (default): one bad row refuses the whole file and nothing is stored. `skip`: the good
   * rows are stored and the bad ones listed in the summary by line, column and reason.
   */
  readonly onBadRow?: BadRowPolicy;
}

export interface IngestDeclarationsSummary {
  declarations: number;
  inspections: number;
  firstDate: string | null;
  lastDate: string | null;
  mapping: string;
  onBadRow: BadRowPolicy;
  /** Rows left out (with `skip`; always 0 with `refuse`, which stores nothing instead). */
  skippedRows: number;
  /** The first SKIPPED_LISTED problems, in file order; a row may have several. */
  skipped: RowProblem[];
  /** Problems found beyond those listed. */
  skippedNotListed: number;
}

/**
 * Ingest kind `declarations`: every row is read and checked first; with `refuse` a bad row refuses
 * the file (naming its line) and nothing is written, with `skip` bad rows are left out and listed.
 * Then declarations are upserted and their labels, when present, stored as inspection results
 * with source `import`. Runs inside the ingest job's transaction, so a failure stores nothing; who
 * may run it is the ingest job's check (INGEST_ROLES: admins and analysts, who also train).
 */
export async function ingestDeclarations(
  store: Store,
  actor: Actor,
  input: AsyncIterable<Uint8Array>,
  sourceName: string,
  jobId: string | null,
  progress: (done: number, total?: number) => void,
  options: IngestDeclarationsOptions = {},
): Promise<IngestDeclarationsSummary> {
  const { mapping } = options;
  const onBadRow = options.onBadRow ?? 'refuse';
  // The line of every row read, in order: a skipped row's line is dropped below so that the i-th
  // declaration still meets the line of the i-th good row.
  const rowLines: number[] = [];
  const parsed = await parseDeclarations(
    (async function* () {
      // Rows with a wrong field count come through to be reported by line (parseDeclarations).
      for await (const row of readCsv(input, { relaxColumnCount: true })) {
        rowLines.push(row.line);
        yield row;
      }
    })(),
    { onBadRow, onProgress: (n) => progress(n), ...(mapping ? { mapping } : {}) },
  ).catch((error: unknown) => {
    if (error instanceof TargetingError)
      throw new StoreError('INVALID_ARGUMENT', error.message, { details: error.details ?? {} });
    throw error;
  });
  const badLines = new Set(parsed.problems.map((p) => p.line));
  const goodLines = badLines.size ? rowLines.filter((l) => !badLines.has(l)) : rowLines;
  const ds = parsed.declarations;
  const repo = targetingRepository(store);
  let inspections = 0;
  const BATCH = 500;
  for (let i = 0; i < ds.length; i += BATCH) {
    const batch = ds
      .slice(i, i + BATCH)
      .map((declaration, k) => ({ declaration, line: goodLines[i + k] ?? 0 }));
    inspections += await repo.upsertDeclarations(actor, batch, { name: sourceName, jobId });
    progress(i + batch.length, ds.length);
  }
  const dates = ds.map((d) => d.date).sort();
  return {
    declarations: ds.length,
    inspections,
    firstDate: dates[0] ?? null,
    lastDate: dates[dates.length - 1] ?? null,
    mapping: parsed.mapping.name,
    onBadRow,
    skippedRows: badLines.size,
    skipped: parsed.problems.slice(0, SKIPPED_LISTED).map((p) => ({ ...p })),
    skippedNotListed: Math.max(0, parsed.problems.length - SKIPPED_LISTED),
  };
}

/**
 * A declarations job's optional `mapping` file: the column mapping for a schema other than the
 * KCS benchmark's (the same JSON as the CLI's `--mapping`). A bad one is refused before the job is
 * recorded (TargetingError BAD_MAPPING), naming the offending key.
 */
export function uploadedMapping(
  attachments: Readonly<Record<string, string>>,
): ColumnMapping | undefined {
  const text = attachments.mapping;
  if (text === undefined) return undefined;
  try {
    return parseColumnMapping(text);
  } catch (error) {
    // Kept as targeting's BAD_MAPPING (the API answers 422), saying which uploaded file it was.
    if (error instanceof TargetingError)
      throw new TargetingError(error.code, error.message, {
        details: { ...(error.details ?? {}), file: 'mapping' },
      });
    throw error;
  }
}

registerIngestKind({
  kind: 'declarations',
  description:
    'Customs import declarations (Korea Customs Service benchmark schema, HS6 or HS10, or any schema with a column mapping file); Fraud / Critical Fraud columns, when present, are stored as inspection results',
  fileHint:
    'df_syn_*_eng.csv (KCS customs declarations), or a CSV in another schema with its column mapping; optionally .gz',
  attachments: [
    {
      name: 'mapping',
      description:
        'JSON column mapping for a CSV not in the KCS schema (the same file as for interdict target --mapping)',
    },
  ],
  options: [
    {
      name: 'onBadRow',
      description: `A row with a missing or malformed field: refuse the file and store nothing, or skip the row and list it in the job's summary (the first ${SKIPPED_LISTED}, then a count)`,
      values: ['refuse', 'skip'],
      default: 'refuse',
    },
  ],
  // Analysed after the job (ingest/run.ts): GET /api/targeting/days joins the first and last.
  tables: ['targeting_declarations', 'targeting_declaration_parties', 'targeting_inspections'],
  checkAttachments: (attachments) => void uploadedMapping(attachments),
  run: (ctx) => {
    const mapping = uploadedMapping(ctx.attachments);
    return ingestDeclarations(
      ctx.store,
      ctx.actor,
      ctx.input,
      ctx.sourceName,
      ctx.jobId,
      (d, t) => ctx.progress(d, t),
      {
        ...(mapping ? { mapping } : {}),
        // The registry has checked the value against the list above.
        onBadRow: ctx.options.onBadRow as BadRowPolicy,
      },
    );
  },
});
