import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database';
import { StoreError } from '../errors';
import type { IngestContext } from '../ingest/registry';
import type { AnalyticsDatasetTable } from './tables';

/**
 * How one analytics dataset is loaded: the table, its natural key, which columns are data (a
 * change in them is a revision) and what happens to stored rows the new file no longer has.
 */
export interface DatasetSpec<R> {
  readonly kind: string;
  readonly table: AnalyticsDatasetTable;
  /** Natural key columns, without `occurrence` (added by the loader). */
  readonly key: readonly string[];
  /** Data columns compared to tell a revised row from an unchanged one. */
  readonly data: readonly string[];
  /**
   * `merge`: rows missing from the file stay (BTS: the 2015+ subsample must not delete 1996–2014);
   * `release`: the file replaces the stored rows of the same release (CBP's fiscal-year window);
   * `replace`: the file replaces the whole table (lookup lists such as WPI and UN/LOCODE).
   */
  readonly scope: 'merge' | 'release' | 'replace';
  parse(input: AsyncIterable<Uint8Array>, sourceName: string): AsyncIterable<R>;
  /** The row to store, without `occurrence`, `source_name`, `source_line` (and `release`). */
  toRow(record: R): Record<string, string | number | boolean | null>;
  line(record: R): number;
  /** The period a record covers (month or year), for the source's first/last period. */
  period(record: R): string;
  /** Release name from the file's first and last period (scope `release` only). */
  release?(first: string, last: string): string;
  /** Counts for the validation report, e.g. repaired rows. */
  tally?(record: R, counts: Record<string, number>): void;
  /** Runs after the rows are in place, in the same transaction. */
  afterLoad?(db: Kysely<Database>): Promise<void>;
  /**
   * Which release each period is taken from, for datasets whose releases overlap (CBP): read
   * before and after the load, so that the ledger record names the periods that changed hands.
   */
  inForce?(db: Kysely<Database>): Promise<ReadonlyMap<string, string>>;
}

export interface LoadSummary {
  kind: string;
  sourceName: string;
  release: string;
  sha256: string;
  bytes: number;
  rows: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  notes: Record<string, number>;
}

/** Rows per INSERT: one JSON parameter each, so PGlite parses one statement per batch. */
const BATCH_ROWS = 2000;

/** The ledger record type of a dataset release put in force. */
export const ANALYTICS_RELEASE_RECORD = 'analytics.release';

/** A period whose rows in force now come from another release (CBP's fiscal years). */
export interface AnalyticsReleaseInForce {
  period: string;
  before: string | null;
  after: string | null;
}

/**
 * The body of an `analytics.release` ledger record: who put which file in force as which release
 * of a dataset, what it replaced and what it changed. Every agency reads the figures computed
 * from these datasets, so replacing the data behind them is a decision of consequence (DESIGN.md,
 * "The ledger records decisions"; issue 12 §6): a quietly swapped file changes every trend, rate
 * and unusual month computed from it.
 */
export interface AnalyticsReleaseRecord {
  kind: string;
  release: string;
  sourceName: string;
  /** SHA-256 (hex) of the file as read (after gunzip), as `analytics_sources` keeps it. */
  sha256: string;
  bytes: number;
  rowCount: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
  jobId: string;
  /** Who put it in force. */
  by: { organisationId: string; userId: string | null };
  /** The file this one replaces (the same kind and release, loaded before), or null. */
  replaces: {
    sourceName: string;
    sha256: string;
    rowCount: number;
    firstPeriod: string | null;
    lastPeriod: string | null;
    jobId: string | null;
    ingestedAt: string;
  } | null;
  /** Stored rows this file added, revised, withdrew, and left as they were. */
  rows: { added: number; changed: number; removed: number; unchanged: number };
  /** Periods now taken from a different release (datasets whose releases overlap: CBP). */
  inForce?: AnalyticsReleaseInForce[];
}

/** What the file brought: its rows are in `target`, with their count, period span and hash. */
interface StreamedFile {
  rows: number;
  first: string | null;
  last: string | null;
  sha256: string;
  bytes: number;
  notes: Record<string, number>;
}

/** What applying a file changed in the stored rows. */
interface Difference {
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * Streams a file into a staging table, then diffs it against the stored rows and applies the
 * difference, all inside the job's transaction (runIngestJob), so a failure keeps nothing. The
 * same file twice finds nothing to change; a revised file updates and records each changed row
 * (before and after) in `analytics_changes`. The release put in force is recorded on the ledger
 * in the same transaction (`ctx.record`), so the data and its ledger entry are kept together or
 * not at all.
 */
export async function loadDataset<R>(
  spec: DatasetSpec<R>,
  ctx: IngestContext,
): Promise<LoadSummary> {
  const db = ctx.store.db;
  const table = sql.table(spec.table);
  const inForceBefore = await spec.inForce?.(db);

  // A first load into an empty table has nothing to diff against: rows go straight in, which
  // halves the work for the 400k-row BTS file. Otherwise they are staged and diffed.
  const empty =
    spec.scope !== 'release' &&
    (await sql<{ e: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS e`.execute(db)).rows[0]
      ?.e === true;
  const stage = `stage_${spec.table}`;
  if (!empty)
    await sql`CREATE TEMP TABLE ${sql.table(stage)} (LIKE ${table}) ON COMMIT DROP`.execute(db);
  const file = await streamRows(spec, ctx, empty ? spec.table : stage);
  const release =
    spec.scope === 'release' && spec.release
      ? spec.release(file.first as string, file.last as string)
      : 'current';
  const previous = await db
    .selectFrom('analytics_sources')
    .selectAll()
    .where('kind', '=', spec.kind)
    .where('release', '=', release)
    .executeTakeFirst();
  const difference: Difference = empty
    ? { inserted: file.rows, updated: 0, deleted: 0 }
    : await applyDifference(spec, ctx, stage, release);

  await recordSource(db, spec.kind, release, ctx, file);
  await spec.afterLoad?.(db);
  const summary: LoadSummary = {
    kind: spec.kind,
    sourceName: ctx.sourceName,
    release,
    sha256: file.sha256,
    bytes: file.bytes,
    rows: file.rows,
    firstPeriod: file.first,
    lastPeriod: file.last,
    ...difference,
    unchanged: file.rows - difference.inserted - difference.updated,
    notes: file.notes,
  };

  const body: AnalyticsReleaseRecord = {
    kind: spec.kind,
    release,
    sourceName: ctx.sourceName,
    sha256: file.sha256,
    bytes: file.bytes,
    rowCount: file.rows,
    firstPeriod: file.first,
    lastPeriod: file.last,
    jobId: ctx.jobId,
    by: { organisationId: ctx.actor.organisationId, userId: ctx.actor.userId },
    replaces: previous
      ? {
          sourceName: previous.source_name,
          sha256: previous.sha256,
          rowCount: Number(previous.row_count),
          firstPeriod: previous.first_period,
          lastPeriod: previous.last_period,
          jobId: previous.job_id,
          ingestedAt: new Date(previous.ingested_at).toISOString(),
        }
      : null,
    rows: {
      added: summary.inserted,
      changed: summary.updated,
      removed: summary.deleted,
      unchanged: summary.unchanged,
    },
    ...(inForceBefore && spec.inForce
      ? { inForce: inForceChanges(inForceBefore, await spec.inForce(db)) }
      : {}),
  };
  await ctx.record({
    type: ANALYTICS_RELEASE_RECORD,
    body,
    subject: { type: ANALYTICS_RELEASE_RECORD, id: `${spec.kind}@${release}` },
  });
  return summary;
}

/** Parses the file into `target` in batches, hashing the bytes as they are read. */
async function streamRows<R>(
  spec: DatasetSpec<R>,
  ctx: IngestContext,
  target: string,
): Promise<StreamedFile> {
  const db = ctx.store.db;
  const into = sql.table(target);
  const hash = createHash('sha256');
  let bytes = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of ctx.input) {
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  }
  const occurrences = new Map<string, number>();
  const notes: Record<string, number> = {};
  let batch: Record<string, unknown>[] = [];
  let rows = 0;
  let first: string | null = null;
  let last: string | null = null;
  const flush = async () => {
    if (batch.length === 0) return;
    if (ctx.signal.aborted) throw new StoreError('INGEST_CANCELLED', 'the job was cancelled');
    const json = JSON.stringify(batch);
    batch = [];
    await sql`INSERT INTO ${into} SELECT * FROM json_populate_recordset(NULL::${into}, ${json}::json)`.execute(
      db,
    );
    ctx.progress(rows);
  };
  for await (const record of spec.parse(hashed(), ctx.sourceName)) {
    const row: Record<string, unknown> = spec.toRow(record);
    const naturalKey = spec.key.map((k) => String(row[k])).join('\u0000');
    const occurrence = occurrences.get(naturalKey) ?? 0;
    occurrences.set(naturalKey, occurrence + 1);
    row.occurrence = occurrence;
    row.source_name = ctx.sourceName;
    row.source_line = spec.line(record);
    const period = spec.period(record);
    if (first === null || period < first) first = period;
    if (last === null || period > last) last = period;
    spec.tally?.(record, notes);
    batch.push(row);
    rows++;
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
  if (rows === 0) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `${ctx.sourceName}: the file has a header but no rows`,
    );
  }
  const duplicates = rows - occurrences.size;
  if (duplicates > 0) notes.repeatedKeys = duplicates;
  return { rows, first, last, sha256: hash.digest('hex'), bytes, notes };
}

/**
 * Applies the staged file to the stored rows in scope, recording each changed row (before and
 * after) when the file revises stored data.
 */
async function applyDifference<R>(
  spec: DatasetSpec<R>,
  ctx: IngestContext,
  stageTable: string,
  release: string,
): Promise<Difference> {
  const db = ctx.store.db;
  const table = sql.table(spec.table);
  const stage = sql.table(stageTable);
  if (spec.scope === 'release') await sql`UPDATE ${stage} SET release = ${release}`.execute(db);

  const keyColumns = [...spec.key, 'occurrence'];
  const on = sql.join(
    keyColumns.map((k) => sql`m.${sql.ref(k)} = s.${sql.ref(k)}`),
    sql` AND `,
  );
  const dataOf = (alias: string) =>
    sql`(${sql.join(spec.data.map((c) => sql`${sql.raw(alias)}.${sql.ref(c)}`))})`;
  const differs = sql`${dataOf('m')} IS DISTINCT FROM ${dataOf('s')}`;
  const inScope =
    spec.scope === 'merge'
      ? sql`false`
      : spec.scope === 'release'
        ? sql`m.release = ${release}`
        : sql`true`;
  const rowKey = (alias: string) =>
    sql`concat_ws('|', ${sql.join(keyColumns.map((k) => sql`${sql.raw(alias)}.${sql.ref(k)}`))})`;

  const counts = await sql<{ inserted: number; updated: number; deleted: number; stored: number }>`
    SELECT
      (SELECT count(*) FROM ${stage} s WHERE NOT EXISTS (SELECT 1 FROM ${table} m WHERE ${on})) AS inserted,
      (SELECT count(*) FROM ${stage} s JOIN ${table} m ON ${on} WHERE ${differs}) AS updated,
      (SELECT count(*) FROM ${table} m WHERE ${inScope}
         AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${on})) AS deleted,
      (SELECT count(*) FROM ${table} m WHERE ${spec.scope === 'merge' ? sql`true` : inScope}) AS stored
  `.execute(db);
  const c = counts.rows[0];
  const inserted = Number(c?.inserted ?? 0);
  const updated = Number(c?.updated ?? 0);
  const deleted = Number(c?.deleted ?? 0);
  const revision = Number(c?.stored ?? 0) > 0;

  // What changed, row by row, when this file revises stored data (a first load is all inserts
  // and is summarised by its count alone).
  if (revision && updated > 0) {
    await sql`
      INSERT INTO analytics_changes (job_id, kind, release, change, row_key, before, after)
      SELECT ${ctx.jobId}, ${spec.kind}, ${release}, 'update', ${rowKey('s')}, to_jsonb(m), to_jsonb(s)
      FROM ${stage} s JOIN ${table} m ON ${on} WHERE ${differs}`.execute(db);
  }
  if (revision && inserted > 0) {
    await sql`
      INSERT INTO analytics_changes (job_id, kind, release, change, row_key, before, after)
      SELECT ${ctx.jobId}, ${spec.kind}, ${release}, 'insert', ${rowKey('s')}, NULL, to_jsonb(s)
      FROM ${stage} s WHERE NOT EXISTS (SELECT 1 FROM ${table} m WHERE ${on})`.execute(db);
  }
  if (deleted > 0) {
    await sql`
      INSERT INTO analytics_changes (job_id, kind, release, change, row_key, before, after)
      SELECT ${ctx.jobId}, ${spec.kind}, ${release}, 'delete', ${rowKey('m')}, to_jsonb(m), NULL
      FROM ${table} m WHERE ${inScope} AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${on})`.execute(
      db,
    );
    await sql`
      DELETE FROM ${table} m WHERE ${inScope}
        AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${on})`.execute(db);
  }
  if (inserted > 0 || updated > 0) {
    const data = sql.join(spec.data.map((col) => sql.ref(col)));
    const excluded = sql.join(spec.data.map((col) => sql`excluded.${sql.ref(col)}`));
    const current = sql.join(spec.data.map((col) => sql`${table}.${sql.ref(col)}`));
    // Provenance moves with the data: a changed row now traces to the line that changed it.
    await sql`
      INSERT INTO ${table} SELECT * FROM ${stage}
      ON CONFLICT (${sql.join(keyColumns.map((k) => sql.ref(k)))}) DO UPDATE
        SET (${data}, source_name, source_line) = ROW(${excluded}, excluded.source_name, excluded.source_line)
        WHERE (${current}) IS DISTINCT FROM (${excluded})`.execute(db);
  }
  return { inserted, updated, deleted };
}

/** The periods whose release in force differs between two readings, in period order. */
function inForceChanges(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): AnalyticsReleaseInForce[] {
  const periods = [...new Set([...before.keys(), ...after.keys()])].sort();
  return periods.flatMap((period) => {
    const was = before.get(period) ?? null;
    const now = after.get(period) ?? null;
    return was === now ? [] : [{ period, before: was, after: now }];
  });
}

/** Records (or replaces) the release's line in `analytics_sources`. */
async function recordSource(
  db: Kysely<Database>,
  kind: string,
  release: string,
  ctx: IngestContext,
  file: StreamedFile,
): Promise<void> {
  await db
    .insertInto('analytics_sources')
    .values({
      kind,
      release,
      source_name: ctx.sourceName,
      sha256: file.sha256,
      row_count: file.rows,
      first_period: file.first,
      last_period: file.last,
      job_id: ctx.jobId,
      ingested_at: sql<Date>`now()`,
    })
    .onConflict((oc) =>
      oc.columns(['kind', 'release']).doUpdateSet((eb) => ({
        source_name: eb.ref('excluded.source_name'),
        sha256: eb.ref('excluded.sha256'),
        row_count: eb.ref('excluded.row_count'),
        first_period: eb.ref('excluded.first_period'),
        last_period: eb.ref('excluded.last_period'),
        job_id: eb.ref('excluded.job_id'),
        ingested_at: eb.ref('excluded.ingested_at'),
      })),
    )
    .execute();
}
