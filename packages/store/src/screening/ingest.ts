import { registerIngestKind, type IngestContext } from '../ingest/registry';
import { rescreenMonitoredParties } from './monitoring';
import { installListVersion, parseStoredList, saveListPart, type OfacPart } from './repository';

async function readAll(ctx: IngestContext, encoding: 'latin1' | 'utf-8'): Promise<string> {
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  let text = '';
  let bytes = 0;
  for await (const chunk of ctx.input) {
    bytes += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
    ctx.progress(bytes);
  }
  return text + decoder.decode();
}

/** Which file of OFAC's legacy set this is: by name, else by the column count of its first row. */
function ofacPart(sourceName: string, text: string): OfacPart {
  const name = sourceName.toLowerCase();
  if (/comment/.test(name)) return 'comments';
  if (/(^|[^a-z])alt/.test(name)) return 'alt';
  if (/(^|[^a-z])add/.test(name)) return 'add';
  if (/sdn/.test(name)) return 'sdn';
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const columns = first.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).length;
  return columns === 5 ? 'alt' : columns === 6 ? 'add' : columns === 2 ? 'comments' : 'sdn';
}

/** What a list job writes (analysed after it, see ingest/run.ts): the new version's entities above all. */
const LIST_TABLES = [
  'screening_sources',
  'screening_list_versions',
  'screening_entities',
  'screening_party_hits',
] as const;

registerIngestKind({
  kind: 'ofac-sdn',
  description:
    'OFAC SDN list, legacy CSV: sdn.csv, and optionally its alt.csv, add.csv and sdn_comments.csv (upload sdn.csv first)',
  fileHint: 'sdn.csv, alt.csv, add.csv or sdn_comments.csv (OFAC legacy CSV), optionally .gz',
  tables: LIST_TABLES,
  async run(ctx) {
    const text = await readAll(ctx, 'latin1');
    const part = ofacPart(ctx.sourceName, text);
    await saveListPart(ctx.store, 'ofac', part, ctx.sourceName, text, ctx.jobId);
    const parsed = await parseStoredList(ctx.store, 'ofac');
    const installed = await installListVersion(
      ctx.store,
      parsed,
      ctx.sourceName,
      ctx.jobId,
      (d, t) => ctx.progress(d, t),
    );
    // Issue 5 §2: with the new version in force (same transaction), report new hits.
    const rescreened = installed.unchanged
      ? { parties: 0, newHits: 0 }
      : await rescreenMonitoredParties(ctx.store, ctx.actor);
    return {
      part,
      ...installed,
      rescreened,
      entities: parsed.version.counts.entities,
      warnings: parsed.warnings.length,
    };
  },
});

registerIngestKind({
  kind: 'un-consolidated',
  description: 'UN Security Council Consolidated List (XML)',
  fileHint: 'consolidated.xml (scsanctions.un.org), optionally .gz',
  tables: LIST_TABLES,
  async run(ctx) {
    const text = await readAll(ctx, 'utf-8').catch(() => {
      throw new Error('the UN consolidated list is not valid UTF-8 text');
    });
    await saveListPart(ctx.store, 'un', 'xml', ctx.sourceName, text, ctx.jobId);
    const parsed = await parseStoredList(ctx.store, 'un');
    const installed = await installListVersion(
      ctx.store,
      parsed,
      ctx.sourceName,
      ctx.jobId,
      (d, t) => ctx.progress(d, t),
    );
    const rescreened = installed.unchanged
      ? { parties: 0, newHits: 0 }
      : await rescreenMonitoredParties(ctx.store, ctx.actor);
    return {
      ...installed,
      rescreened,
      entities: parsed.version.counts.entities,
      warnings: parsed.warnings.length,
    };
  },
});
