import { parseColumnMapping, TargetingError, type ColumnMapping } from '@interdict/targeting';
import { registerIngestKind } from '../ingest/registry';
import { ingestDeclarations, SKIPPED_LISTED, type BadRowPolicy } from './repository';

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
