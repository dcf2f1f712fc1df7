import { StoreError } from '../errors';
import { registerIngestKind, type IngestContext } from '../ingest/registry';
import { LIST_VERSION_RECORD } from './list-import';
import { partiesToRescreen } from './monitoring';
import {
  installListVersion,
  parseStoredList,
  saveListPart,
  type InstalledListVersion,
  type OfacPart,
} from './repository';

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

/**
 * Put a parsed list in force, in the job's transaction: the version with its entities, its
 * ledger record (issue 12 §6: who put which file in force, and what it changed against the
 * version it replaced), and the re-screening of the monitored parties (issue 5 §2), so that the
 * version, its entry and the alerts it raises commit together or not at all. The same content
 * again puts nothing new in force: no record, no re-screening.
 */
async function putInForce(
  ctx: IngestContext,
  list: 'ofac' | 'un',
  file: { part: string; sha256: string },
): Promise<{
  installed: InstalledListVersion;
  rescreened: { parties: number; newHits: number };
  entities: number;
  warnings: number;
}> {
  const parsed = await parseStoredList(ctx.store, list);
  const installed = await installListVersion(ctx.store, parsed, ctx.sourceName, ctx.jobId, (d, t) =>
    ctx.progress(d, t),
  );
  const entities = parsed.version.counts.entities;
  const warnings = parsed.warnings.length;
  if (installed.unchanged) {
    return { installed, rescreened: { parties: 0, newHits: 0 }, entities, warnings };
  }
  await ctx.record({
    type: LIST_VERSION_RECORD,
    body: {
      listVersion: installed.version,
      version: parsed.version.id,
      source: parsed.version.source,
      ...(parsed.version.published ? { published: parsed.version.published } : {}),
      contentHash: parsed.version.contentHash,
      sourceName: ctx.sourceName,
      part: file.part,
      sha256: file.sha256,
      entities,
      added: installed.added,
      changed: installed.changed,
      removed: installed.removed,
      replaces: installed.replaces,
      jobId: ctx.jobId,
      putInForceBy: { organisationId: ctx.actor.organisationId, userId: ctx.actor.userId },
    },
    subject: { type: LIST_VERSION_RECORD, id: installed.version },
  });
  return { installed, rescreened: await rescreen(ctx), entities, warnings };
}

async function rescreen(ctx: IngestContext): Promise<{ parties: number; newHits: number }> {
  if (ctx.screening) return ctx.screening.listVersionInstalled(ctx.store, ctx.actor);
  // Without the screening service nobody can screen the parties; putting the version in force
  // anyway would leave their new hits unreported, so the import fails unless none is watched.
  const watched = await partiesToRescreen(ctx.store);
  if (watched.length === 0) return { parties: 0, newHits: 0 };
  throw new StoreError(
    'INVALID_ARGUMENT',
    `${watched.length} monitored parties must be re-screened against the new list version: run list imports through the ingest service`,
  );
}

registerIngestKind({
  kind: 'ofac-sdn',
  description:
    'OFAC SDN list, legacy CSV: sdn.csv, and optionally its alt.csv, add.csv and sdn_comments.csv (upload sdn.csv first)',
  fileHint: 'sdn.csv, alt.csv, add.csv or sdn_comments.csv (OFAC legacy CSV), optionally .gz',
  tables: LIST_TABLES,
  async run(ctx) {
    const text = await readAll(ctx, 'latin1');
    const part = ofacPart(ctx.sourceName, text);
    const { sha256 } = await saveListPart(ctx.store, 'ofac', part, ctx.sourceName, text, ctx.jobId);
    const r = await putInForce(ctx, 'ofac', { part, sha256 });
    return {
      part,
      version: r.installed.version,
      unchanged: r.installed.unchanged,
      added: r.installed.added,
      changed: r.installed.changed,
      removed: r.installed.removed,
      rescreened: r.rescreened,
      entities: r.entities,
      warnings: r.warnings,
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
    const { sha256 } = await saveListPart(ctx.store, 'un', 'xml', ctx.sourceName, text, ctx.jobId);
    const r = await putInForce(ctx, 'un', { part: 'xml', sha256 });
    return {
      version: r.installed.version,
      unchanged: r.installed.unchanged,
      added: r.installed.added,
      changed: r.installed.changed,
      removed: r.installed.removed,
      rescreened: r.rescreened,
      entities: r.entities,
      warnings: r.warnings,
    };
  },
});
