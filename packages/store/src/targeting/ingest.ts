import { registerIngestKind } from '../ingest/registry';
import { ingestDeclarations } from './repository';

registerIngestKind({
  kind: 'declarations',
  description:
    'Customs import declarations (Korea Customs Service benchmark schema, HS6 or HS10); Fraud / Critical Fraud columns, when present, are stored as inspection results',
  fileHint: 'df_syn_*_eng.csv (KCS customs declarations), optionally .gz',
  run: (ctx) =>
    ingestDeclarations(ctx.store, ctx.actor, ctx.input, ctx.sourceName, ctx.jobId, (d, t) =>
      ctx.progress(d, t),
    ),
});
