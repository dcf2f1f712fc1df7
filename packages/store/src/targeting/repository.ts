import { readCsv } from '@interdict/core';
import type { ColumnMapping, History, RowProblem } from '@interdict/targeting';
import {
  TargetingModel,
  TargetingError,
  collectLaneRaises,
  declarationParties,
  parseCriticalPolicy,
  parseDeclarations,
  parseRules,
  parseWatchlistPolicy,
  planInspectionDay,
  type CriticalPolicy,
  type Declaration,
  type DeclarationParty,
  type Lane,
  type LaneRaise,
  type LaneRaiser,
  type Objective,
  type TargetingRule,
  type WatchlistPolicy,
} from '@interdict/targeting';
import { sql, type Kysely } from 'kysely';
import { assertRole, type Actor, type Role } from '../actor';
import { StoreError } from '../errors';
import type { AtN } from '@interdict/targeting';
import { recordAudit } from '../repositories/audit';
import {
  bumpGeneration,
  cachedAsOf,
  cachedBase,
  forgetModels,
  generation,
  peekBase,
  rememberAsOf,
} from './model-cache';
import { scoreDeclarationsInWorkers } from './score-pool';
import { trainTargetingModelInWorkers } from './train-pool';
import type { Store } from '../store';
import {
  organisationDecisions,
  storeScreener,
  watchlistRaiser,
  type PartyScreener,
} from './watchlist';

/** Who may see declarations, queues and models (partners never see an agency's declarations). */
export const TARGETING_READER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer'];
/** Who may record inspection results. */
export const TARGETING_INSPECTOR_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/** Who may train models and write rules. */
export const TARGETING_MANAGER_ROLES: readonly Role[] = ['admin', 'analyst'];

const raw = (store: Store): Kysely<unknown> => store.db as unknown as Kysely<unknown>;
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
const iso = (value: unknown): string =>
  value instanceof Date ? value.toISOString() : String(value);

export interface InspectionResult {
  readonly fraud: 0 | 1;
  readonly critical: 0 | 1 | 2;
  readonly source: 'import' | 'officer';
  readonly note: string;
  readonly recordedBy: string | null;
  readonly recordedAt: string;
}

export interface QueueItem {
  readonly id: string;
  readonly date: string;
  readonly importer: string;
  readonly hsCode: string;
  readonly origin: string;
  readonly itemPrice: number;
  readonly score: number;
  /** The active Critical Fraud model's probability when it scored the day; null otherwise. */
  readonly criticalScore: number | null;
  readonly lane: Lane;
  readonly inspect: boolean;
  readonly selectedBy: string | null;
  readonly reasons: string[];
  /** Lane raises behind the lane (watchlist hits; later intelligence), also among `reasons`. */
  readonly raises: LaneRaise[];
  /** Named parties, when the declaration's schema carries names. */
  readonly parties: DeclarationParty[];
  readonly inspection: InspectionResult | null;
}

export interface StoredModel {
  readonly id: string;
  readonly objective: Objective;
  readonly active: boolean;
  readonly createdAt: string;
  /** The model file's training metadata, less the validation curve and the slice's metrics. */
  readonly training: unknown;
  /**
   * Precision/Recall@n% computed at training time on the latest-dated slice of the training
   * data held out for early stopping. The model chose its number of trees on that very slice,
   * so the figures flatter it (and a refit model then learnt from it too): they are labelled as
   * such, and the out-of-time evaluation (evaluateTargetingModel) is the one to judge it by.
   * Null for a model trained without such a slice.
   */
  readonly earlyStoppingSlice: EarlyStoppingSliceFigures | null;
}

export const EARLY_STOPPING_SLICE_LABEL =
  'early-stopping slice (the model chose its number of trees on it)';

export interface EarlyStoppingSliceFigures {
  readonly label: typeof EARLY_STOPPING_SLICE_LABEL;
  /** The slice: declarations dated from `from` to the end of the training data. */
  readonly from: string | null;
  readonly to: string;
  readonly declarations: number;
  readonly metrics: AtN[];
}

export interface StoredRule extends TargetingRule {
  readonly createdAt: string;
}

function withoutLabels(d: Declaration): Omit<Declaration, 'fraud' | 'critical'> {
  const { fraud: _f, critical: _c, ...rest } = d;
  return rest;
}

/** The declaration's JSON as stored: no labels (inspections) and no parties (their own table). */
function storedData(d: Declaration): Record<string, unknown> {
  const {
    importerName: _in,
    importerCountry: _ic,
    consigneeName: _cn,
    consigneeCountry: _cc,
    sellerName: _sn,
    sellerCountry: _sc,
    ...rest
  } = withoutLabels(d);
  return rest;
}

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
 * with source `import`. Runs inside the ingest job's transaction, so a failure stores nothing.
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
  assertRole(actor, ...TARGETING_MANAGER_ROLES);
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
  const lines = new Map(ds.map((d, i) => [d.id, goodLines[i] ?? 0]));
  const db = raw(store);
  let inspections = 0;
  const BATCH = 500;
  for (let i = 0; i < ds.length; i += BATCH) {
    const batch = ds.slice(i, i + BATCH);
    await sql`
      INSERT INTO targeting_declarations (organisation_id, id, date, data, source_name, source_line, job_id)
      VALUES ${sql.join(
        batch.map(
          (d) =>
            sql`(${actor.organisationId}, ${d.id}, ${d.date}, ${JSON.stringify(storedData(d))}::jsonb, ${sourceName}, ${lines.get(d.id) ?? 0}, ${jobId})`,
        ),
      )}
      ON CONFLICT (organisation_id, id) DO UPDATE SET date = excluded.date, data = excluded.data,
        source_name = excluded.source_name, source_line = excluded.source_line, job_id = excluded.job_id,
        score = NULL, lane = NULL, reasons = NULL, model_id = NULL, scored_at = NULL`.execute(db);
    // A re-ingested declaration carries exactly the parties of its new row.
    await sql`DELETE FROM targeting_declaration_parties
      WHERE organisation_id = ${actor.organisationId}
        AND declaration_id IN (${sql.join(batch.map((d) => d.id))})`.execute(db);
    const parties = batch.flatMap((d) => declarationParties(d).map((p) => ({ id: d.id, ...p })));
    if (parties.length > 0)
      await sql`
        INSERT INTO targeting_declaration_parties (organisation_id, declaration_id, role, name, country)
        VALUES ${sql.join(
          parties.map(
            (p) =>
              sql`(${actor.organisationId}, ${p.id}, ${p.role}, ${p.name}, ${p.country ?? null})`,
          ),
        )}`.execute(db);
    const labelled = batch.filter((d) => d.fraud !== null);
    if (labelled.length > 0) {
      inspections += labelled.length;
      await sql`
        INSERT INTO targeting_inspections (organisation_id, declaration_id, fraud, critical, source, recorded_by)
        VALUES ${sql.join(
          labelled.map(
            (d) =>
              sql`(${actor.organisationId}, ${d.id}, ${d.fraud}, ${d.critical ?? (d.fraud === 1 ? 1 : 0)}, 'import', ${actor.userId})`,
          ),
        )}
        ON CONFLICT (organisation_id, declaration_id) DO UPDATE SET fraud = excluded.fraud,
          critical = excluded.critical, source = excluded.source, recorded_at = now()`.execute(db);
    }
    progress(i + batch.length, ds.length);
  }
  bumpGeneration(store, actor.organisationId);
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

interface DeclRow {
  id: string;
  date: string;
  data: unknown;
  score: number | null;
  critical_score: number | null;
  critical_model_id: string | null;
  lane: string | null;
  reasons: unknown;
  fraud: number | null;
  critical: number | null;
  source: string | null;
  note: string | null;
  recorded_by: string | null;
  recorded_at: unknown;
  /** Only when selected `withParties`. */
  parties?: unknown;
}

function partiesOf(r: DeclRow): DeclarationParty[] {
  const rows = json<
    { role: DeclarationParty['role']; name: string; country: string | null }[] | null
  >(r.parties ?? null);
  return (rows ?? []).map((p) => ({
    role: p.role,
    name: p.name,
    ...(p.country ? { country: p.country } : {}),
  }));
}

function toDeclaration(r: DeclRow, withLabel: boolean): Declaration {
  const d = json<Omit<Declaration, 'fraud' | 'critical'>>(r.data);
  const named: Record<string, string> = {};
  for (const p of partiesOf(r)) {
    named[`${p.role}Name`] = p.name;
    if (p.country) named[`${p.role}Country`] = p.country;
  }
  return {
    ...d,
    ...named,
    // JSON has no NaN: absent numbers come back as null.
    taxRate: d.taxRate ?? NaN,
    netMass: d.netMass ?? NaN,
    itemPrice: d.itemPrice ?? NaN,
    fraud: withLabel && r.fraud !== null ? (r.fraud as 0 | 1) : null,
    critical: withLabel && r.critical !== null ? (r.critical as 0 | 1 | 2) : null,
  };
}

function toInspection(r: DeclRow): InspectionResult | null {
  if (r.fraud === null) return null;
  return {
    fraud: r.fraud as 0 | 1,
    critical: (r.critical ?? 0) as 0 | 1 | 2,
    source: (r.source ?? 'import') as 'import' | 'officer',
    note: r.note ?? '',
    recordedBy: r.recorded_by,
    recordedAt: iso(r.recorded_at),
  };
}

async function selectDeclarations(
  store: Store,
  actor: Actor,
  where: {
    date?: string;
    before?: string;
    after?: string;
    id?: string;
    inspectedOnly?: boolean;
    /** Join the named parties (a day's queue and a declaration's page; never history). */
    withParties?: boolean;
  },
): Promise<DeclRow[]> {
  const parties = where.withParties
    ? sql`, (SELECT jsonb_agg(jsonb_build_object('role', p.role, 'name', p.name, 'country', p.country) ORDER BY p.role)
        FROM targeting_declaration_parties p
        WHERE p.organisation_id = d.organisation_id AND p.declaration_id = d.id) AS parties`
    : sql``;
  const rows = await sql<DeclRow>`
    SELECT d.id, d.date, d.data, d.score, d.lane, d.reasons,
      -- Re-ingesting clears the score but not these: without a score they are stale.
      CASE WHEN d.score IS NULL THEN NULL ELSE d.critical_score END AS critical_score,
      CASE WHEN d.score IS NULL THEN NULL ELSE d.critical_model_id END AS critical_model_id,
      i.fraud, i.critical, i.source, i.note, i.recorded_by, i.recorded_at ${parties}
    FROM targeting_declarations d
    LEFT JOIN targeting_inspections i
      ON i.organisation_id = d.organisation_id AND i.declaration_id = d.id
    WHERE d.organisation_id = ${actor.organisationId}
      AND (${where.date ?? null}::text IS NULL OR d.date = ${where.date ?? null})
      AND (${where.before ?? null}::text IS NULL OR d.date < ${where.before ?? null})
      AND (${where.after ?? null}::text IS NULL OR d.date > ${where.after ?? null})
      AND (${where.id ?? null}::text IS NULL OR d.id = ${where.id ?? null})
      AND (${where.inspectedOnly ?? false} = false OR i.fraud IS NOT NULL)
    ORDER BY d.date, d.id`.execute(raw(store));
  return rows.rows;
}

/** Dates that have declarations, newest first, with counts (for the queue's date picker). */
/** A day's scored declarations by lane, and those picked for inspection by why they were. */
export interface TargetingDay {
  readonly date: string;
  readonly declarations: number;
  readonly scored: number;
  readonly inspected: number;
  readonly lanes: Record<Lane, number>;
  readonly toInspect: { model: number; rule: number; raised: number; random: number };
}

/**
 * Dates with declarations, newest first, with the day's counts worked out in the query (so the
 * console's day summary is right however much of the queue it has loaded or filtered).
 */
export async function listTargetingDays(
  store: Store,
  actor: Actor,
  limit = 60,
): Promise<TargetingDay[]> {
  assertRole(actor, ...TARGETING_READER_ROLES);
  type N = string | number;
  const rows = await sql<{
    date: string;
    n: N;
    scored: N;
    inspected: N;
    red: N;
    yellow: N;
    blue: N;
    green: N;
    by_model: N;
    by_rule: N;
    by_raised: N;
    by_random: N;
  }>`
    SELECT d.date, count(*) AS n, count(d.score) AS scored, count(i.fraud) AS inspected,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.lane = 'red') AS red,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.lane = 'yellow') AS yellow,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.lane = 'blue') AS blue,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.lane = 'green') AS green,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.reasons->>'selectedBy' = 'model') AS by_model,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.reasons->>'selectedBy' = 'rule') AS by_rule,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.reasons->>'selectedBy' = 'raised') AS by_raised,
      count(*) FILTER (WHERE d.score IS NOT NULL AND d.reasons->>'selectedBy' = 'random') AS by_random
    FROM targeting_declarations d
    LEFT JOIN targeting_inspections i ON i.organisation_id = d.organisation_id AND i.declaration_id = d.id
    WHERE d.organisation_id = ${actor.organisationId}
    GROUP BY d.date ORDER BY d.date DESC LIMIT ${limit}`.execute(raw(store));
  return rows.rows.map((r) => ({
    date: r.date,
    declarations: Number(r.n),
    scored: Number(r.scored),
    inspected: Number(r.inspected),
    lanes: {
      red: Number(r.red),
      yellow: Number(r.yellow),
      blue: Number(r.blue),
      green: Number(r.green),
    },
    toInspect: {
      model: Number(r.by_model),
      rule: Number(r.by_rule),
      raised: Number(r.by_raised),
      random: Number(r.by_random),
    },
  }));
}

async function activeModelRow(
  store: Store,
  actor: Actor,
  objective: Objective,
): Promise<{ id: string; lastDate: string } | undefined> {
  // Only the id and training end date: the body (the model file) is read once per model id.
  const rows = await sql<{ id: string; last_date: string }>`
    SELECT id, training->>'lastDate' AS last_date FROM targeting_models
    WHERE organisation_id = ${actor.organisationId} AND objective = ${objective} AND active
    ORDER BY created_at DESC LIMIT 1`.execute(raw(store));
  const row = rows.rows[0];
  return row && { id: row.id, lastDate: row.last_date };
}

async function loadModel(store: Store, actor: Actor, id: string): Promise<TargetingModel> {
  const rows = await sql<{ body: string }>`
    SELECT body FROM targeting_models
    WHERE organisation_id = ${actor.organisationId} AND id = ${id}`.execute(raw(store));
  const row = rows.rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `targeting model ${id} not found`);
  return TargetingModel.parse(row.body);
}

/**
 * A cheap summary of the stored declarations and inspections dated in (after, before): if it and
 * this process's write generation are unchanged, a cached history advanced through them is valid.
 */
async function historyFingerprint(
  store: Store,
  actor: Actor,
  after: string,
  before: string,
): Promise<string> {
  const rows = await sql<Record<string, unknown>>`
    SELECT count(*) AS n, count(i.fraud) AS inspected, coalesce(sum(i.fraud), 0) AS frauds,
      coalesce(sum(i.critical), 0) AS criticals, max(i.recorded_at) AS recorded,
      coalesce(sum(hashtext(coalesce(d.job_id, '') || d.id)), 0) AS jobs
    FROM targeting_declarations d
    LEFT JOIN targeting_inspections i
      ON i.organisation_id = d.organisation_id AND i.declaration_id = d.id
    WHERE d.organisation_id = ${actor.organisationId} AND d.date > ${after} AND d.date < ${before}`.execute(
    raw(store),
  );
  const r = rows.rows[0] ?? {};
  const parts = [r.n, r.inspected, r.frauds, r.criticals, r.recorded, r.jobs].map((v) =>
    v instanceof Date ? v.toISOString() : String(v),
  );
  return `${generation(store, actor.organisationId)}|${parts.join('|')}`;
}

/**
 * The model with its history advanced through every stored declaration dated after its training
 * data and strictly before `date` (their inspection results included): scoring a day never sees
 * that day's or later outcomes. Cached per model id and date (see model-cache.ts); the result is
 * shared, so callers must not advance its history.
 */
async function modelAsOf(
  store: Store,
  actor: Actor,
  objective: Objective,
  date: string,
): Promise<{ id: string; model: TargetingModel }> {
  const row = await activeModelRow(store, actor, objective);
  if (!row)
    throw new StoreError(
      'NOT_FOUND',
      `no ${objective} model has been trained yet: train one first`,
    );
  if (date <= row.lastDate)
    throw new StoreError(
      'CONFLICT',
      `the active ${objective} model learnt from inspections up to ${row.lastDate}: scoring or explaining ${date} with it would use that day's outcomes; train a model on inspections before ${date} first`,
    );
  const fingerprint = await historyFingerprint(store, actor, row.lastDate, date);
  const hit = cachedAsOf(store, row.id, date, fingerprint);
  if (hit) return { id: row.id, model: hit };
  const base = await modelBase(store, actor, row.id);
  const history = base.history.clone();
  await advanceHistoryBetween(store, actor, history, row.lastDate, date);
  const model = base.withHistory(history);
  rememberAsOf(store, row.id, date, fingerprint, model);
  return { id: row.id, model };
}

/**
 * A stored model as trained (parsed once per id, see model-cache.ts); NOT_FOUND in another
 * organisation. With `remember: false` a model not already cached is read without caching it.
 */
export async function modelBase(
  store: Store,
  actor: Actor,
  id: string,
  options: { remember?: boolean } = {},
): Promise<TargetingModel> {
  if (options.remember === false)
    return peekBase(store, actor.organisationId, id) ?? (await loadModel(store, actor, id));
  return cachedBase(store, actor.organisationId, id, () => loadModel(store, actor, id));
}

/**
 * Advances `history` through every stored declaration dated strictly after `after` and strictly
 * before `before`, in date then id order, with their inspection results: what a model trained on
 * data up to `after` knows on the morning of `before`. The one implementation of that walk: the
 * queue and a declaration's explanation (modelAsOf) and the out-of-time evaluation of a model
 * version (evaluation.ts, which calls it day after day on one history) all go through it.
 * Store-internal (exported for evaluation.ts only).
 */
export async function advanceHistoryBetween(
  store: Store,
  actor: Actor,
  history: History,
  after: string,
  before: string,
): Promise<void> {
  const between = await selectDeclarations(store, actor, { after, before });
  for (const r of between) history.add(toDeclaration(r, true), true);
}

/** An inspected declaration as the out-of-time evaluation reads it. */
export interface InspectedDeclaration {
  /** With its labels (the inspection result). */
  readonly declaration: Declaration;
  /** How scoring picked it (`model`, `random`, `rule`, `raised`), null if never scored or not picked. */
  readonly selectedBy: string | null;
  readonly source: 'import' | 'officer';
}

/** Store-internal: the inspected declarations dated after `after`, in date then id order. */
export async function inspectedDeclarationsAfter(
  store: Store,
  actor: Actor,
  after: string,
): Promise<InspectedDeclaration[]> {
  const rows = await selectDeclarations(store, actor, { after, inspectedOnly: true });
  return rows.map((r) => ({
    declaration: toDeclaration(r, true),
    selectedBy: json<ScoreMeta | null>(r.reasons)?.selectedBy ?? null,
    source: r.source === 'officer' ? 'officer' : 'import',
  }));
}

/**
 * Scores the declarations of `date` with the active Fraud model, picks those to inspect within
 * capacity (with a random share and the organisation's rules), and stores score, lane, reasons.
 * When the organisation has an active Critical Fraud model, the day is also scored with it (its
 * history advanced to the date like the Fraud model's), each declaration's critical probability
 * is stored, and the day's top band of it is raised (`planInspectionDay`: within the capacity that
 * rules and watchlist hits leave). Without one, nothing differs from Fraud-only scoring.
 */
export async function scoreTargetingDay(
  store: Store,
  actor: Actor,
  input: {
    date: string;
    /** Capacity as a share of the day (default 5 %), or `capacityCount` declarations; not both. */
    capacityPercent?: number;
    capacityCount?: number;
    randomShare?: number;
    /** What a watchlist hit on a party does (threshold, lane); see DEFAULT_WATCHLIST_POLICY. */
    watchlist?: Partial<WatchlistPolicy>;
    /** Which of the Critical model's top scores are raised, and to what; DEFAULT_CRITICAL_POLICY. */
    critical?: Partial<CriticalPolicy>;
  },
  wiring: {
    /** How party names are screened (default: the store's index, in this process). */
    screener?: PartyScreener;
    /** Further lane raisers (live intelligence, once it exists). */
    raisers?: readonly LaneRaiser[];
  } = {},
): Promise<{
  date: string;
  scored: number;
  modelId: string;
  /** The Critical Fraud model that also scored the day, if the organisation has one. */
  criticalModelId: string | null;
  lanes: Record<Lane, number>;
  raised: number;
  /** Declarations raised by the Critical model's top band. */
  criticalRaised: number;
}> {
  assertRole(actor, ...TARGETING_INSPECTOR_ROLES);
  let policy: WatchlistPolicy;
  let criticalPolicy: CriticalPolicy;
  try {
    policy = parseWatchlistPolicy(input.watchlist);
    criticalPolicy = parseCriticalPolicy(input.critical);
  } catch (error) {
    if (error instanceof TargetingError) throw new StoreError('INVALID_ARGUMENT', error.message);
    throw error;
  }
  const rows = await selectDeclarations(store, actor, { date: input.date, withParties: true });
  // Scoring a date without declarations is almost always a mistyped date: saying "0 scored"
  // would read like success.
  if (rows.length === 0)
    throw new StoreError('NOT_FOUND', `no declarations dated ${input.date}: nothing to score`);
  const { id: modelId, model } = await modelAsOf(store, actor, 'fraud', input.date);
  // An active Critical model that learnt from this day's outcomes is refused like the Fraud one
  // (CONFLICT from modelAsOf) rather than silently left out: the officer would not know.
  const critical = (await activeModelRow(store, actor, 'critical'))
    ? await modelAsOf(store, actor, 'critical', input.date)
    : null;
  const ds = rows.map((r) => toDeclaration(r, false));
  // A large day's trees are scored on the process's scoring threads while its features are built
  // (score-pool.ts), to the same scores bit for bit; a small day in process.
  const { matrix, scores } = await scoreDeclarationsInWorkers(model, ds);
  const criticalScores = critical
    ? (await scoreDeclarationsInWorkers(critical.model, ds)).scores
    : null;
  const rules = (await listTargetingRules(store, actor)).filter(
    (r) => !r.validTo || r.validTo >= input.date,
  );
  const raisers: LaneRaiser[] = [
    watchlistRaiser(wiring.screener ?? storeScreener(store, actor), {
      policy,
      decisions: await organisationDecisions(store, actor),
    }),
    ...(wiring.raisers ?? []),
  ];
  const raises = await collectLaneRaises(ds, raisers);
  if (input.capacityPercent !== undefined && input.capacityCount !== undefined)
    throw new StoreError('INVALID_ARGUMENT', 'give capacityPercent or capacityCount, not both');
  if (
    input.capacityCount !== undefined &&
    !(Number.isInteger(input.capacityCount) && input.capacityCount >= 0)
  )
    throw new StoreError('INVALID_ARGUMENT', 'capacityCount must be a whole number, 0 or more');
  const capacitySpec: { readonly count: number } | { readonly percent: number } =
    input.capacityCount !== undefined
      ? { count: input.capacityCount }
      : { percent: input.capacityPercent ?? 5 };
  // The Critical band (within the red budget that rules, raises and the random share leave),
  // the selection and the reasons are the pure day plan the CLI's `target score` shares.
  const plan = planInspectionDay({
    declarations: ds,
    scores,
    capacity: capacitySpec,
    randomShare: input.randomShare ?? 0.1,
    seed: Number(input.date.replace(/-/g, '')),
    rules,
    raises,
    critical: criticalScores ? { scores: criticalScores, policy: criticalPolicy } : undefined,
    // TreeSHAP reasons, only for the declarations not released green.
    modelReasons: (i) => model.reasons(matrix, i).map((r) => r.text),
  });
  const { criticalRaised, lanes } = plan;
  const picked = plan.declarations;
  const raisedCount = picked.filter((p) => p.raises.length > 0).length;
  await store.transaction(async (tx) => {
    for (let i = 0; i < picked.length; i += 500) {
      const batch = picked.slice(i, i + 500);
      await sql`
        UPDATE targeting_declarations AS d SET score = v.score, lane = v.lane, reasons = v.reasons::jsonb,
          model_id = ${modelId}, scored_at = now(), critical_score = v.critical,
          critical_model_id = ${critical?.id ?? null}
        FROM (VALUES ${sql.join(
          batch.map(
            (p) =>
              sql`(${p.id}, ${p.score}::double precision, ${p.lane}, ${JSON.stringify({ reasons: p.reasons, selectedBy: p.selectedBy, raises: p.raises })}, ${p.criticalScore}::double precision)`,
          ),
        )}) AS v(id, score, lane, reasons, critical)
        WHERE d.organisation_id = ${actor.organisationId} AND d.id = v.id`.execute(raw(tx));
    }
    await recordAudit(tx.db, {
      action: 'targeting.score',
      actor,
      targetType: 'targeting-day',
      targetId: input.date,
      details: {
        modelId,
        declarations: picked.length,
        policy,
        raised: raisedCount,
        ...(critical ? { criticalModelId: critical.id, criticalPolicy, criticalRaised } : {}),
      },
    });
  });
  return {
    date: input.date,
    scored: picked.length,
    modelId,
    criticalModelId: critical?.id ?? null,
    lanes,
    raised: raisedCount,
    criticalRaised,
  };
}

/** How the queue is ordered: by lane then Fraud score (default), or by critical probability. */
export type QueueSort = 'lane' | 'critical';

/**
 * The day's queue: declarations by lane and descending score (scored ones first), or with
 * `sort: 'critical'` by descending critical probability (those without one last). `minCritical`
 * keeps only declarations whose critical probability is at least that.
 */
export async function targetingQueue(
  store: Store,
  actor: Actor,
  input: { date: string; lane?: Lane; limit?: number; sort?: QueueSort; minCritical?: number },
): Promise<QueueItem[]> {
  assertRole(actor, ...TARGETING_READER_ROLES);
  if (
    input.minCritical !== undefined &&
    !(Number.isFinite(input.minCritical) && input.minCritical >= 0 && input.minCritical <= 1)
  )
    throw new StoreError('INVALID_ARGUMENT', 'minCritical must be between 0 and 1');
  const rows = await selectDeclarations(store, actor, { date: input.date, withParties: true });
  const items = rows.map((r): QueueItem => {
    const d = toDeclaration(r, false);
    const meta = json<ScoreMeta | null>(r.reasons);
    return {
      id: d.id,
      date: d.date,
      importer: d.importer,
      hsCode: d.hsCode,
      origin: d.origin,
      itemPrice: d.itemPrice,
      score: r.score ?? NaN,
      criticalScore: r.critical_score,
      lane: (r.lane ?? 'green') as Lane,
      inspect: meta?.selectedBy != null,
      selectedBy: meta?.selectedBy ?? null,
      reasons: meta?.reasons ?? [],
      raises: meta?.raises ?? [],
      parties: partiesOf(r),
      inspection: toInspection(r),
    };
  });
  const laneRank: Record<Lane, number> = { red: 0, yellow: 1, blue: 2, green: 3 };
  const byCritical = (a: QueueItem, b: QueueItem): number =>
    (b.criticalScore ?? -1) - (a.criticalScore ?? -1);
  const byLane = (a: QueueItem, b: QueueItem): number =>
    laneRank[a.lane] - laneRank[b.lane] ||
    (Number.isNaN(b.score) ? -1 : b.score) - (Number.isNaN(a.score) ? -1 : a.score);
  const min = input.minCritical;
  return items
    .filter((x) => !input.lane || x.lane === input.lane)
    .filter((x) => min === undefined || (x.criticalScore !== null && x.criticalScore >= min))
    .sort(
      (a, b) =>
        (input.sort === 'critical' ? byCritical(a, b) || byLane(a, b) : byLane(a, b)) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, input.limit ?? 200);
}

/** What scoring stores beside the score and lane (`targeting_declarations.reasons`). */
interface ScoreMeta {
  reasons?: string[];
  selectedBy?: string | null;
  raises?: LaneRaise[];
}

/** A TreeSHAP explanation of one model's score: bias + contributions = margin (log-odds). */
export interface ScoreExplanation {
  readonly modelId: string;
  readonly bias: number;
  readonly margin: number;
  readonly contributions: { feature: string; value: number | null; contribution: number }[];
}

export interface DeclarationDetail {
  readonly declaration: Omit<Declaration, 'fraud' | 'critical'>;
  readonly score: number | null;
  /** The Critical Fraud model's probability when it scored the day. */
  readonly criticalScore: number | null;
  readonly lane: Lane | null;
  readonly reasons: string[];
  /** Lane raises found when it was scored (watchlist hits, with the list versions). */
  readonly raises: LaneRaise[];
  readonly parties: DeclarationParty[];
  readonly inspection: InspectionResult | null;
  /** TreeSHAP contributions of the active Fraud model, largest magnitude first. */
  readonly explanation: ScoreExplanation | null;
  /** The same for the active Critical Fraud model, when there is one that may explain the day. */
  readonly criticalExplanation: ScoreExplanation | null;
}

/**
 * The active `objective` model's exact TreeSHAP explanation of `d` (Lundberg et al., Nature MI
 * 2020: the contributions and bias sum to the margin), when that model learnt only from earlier
 * days; null when there is no such model.
 */
async function explainWith(
  store: Store,
  actor: Actor,
  objective: Objective,
  d: Declaration,
): Promise<ScoreExplanation | null> {
  const asOf = await modelAsOf(store, actor, objective, d.date).catch((error: unknown) => {
    if (error instanceof StoreError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND'))
      return null;
    throw error;
  });
  if (!asOf) return null;
  const { id: modelId, model } = asOf;
  const matrix = model.features([d]);
  const e = model.explain(matrix, 0);
  const contributions = model.names
    .map((feature, f) => ({
      feature,
      value: Number.isFinite(matrix.values[f]) ? (matrix.values[f] as number) : null,
      contribution: e.contributions[f] as number,
    }))
    .filter((c) => c.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const margin = e.bias + e.contributions.reduce((s, v) => s + v, 0);
  return { modelId, bias: e.bias, margin, contributions };
}

/** One declaration with its inspection result and an exact explanation of its score. */
export async function getTargetingDeclaration(
  store: Store,
  actor: Actor,
  id: string,
): Promise<DeclarationDetail> {
  assertRole(actor, ...TARGETING_READER_ROLES);
  const [row] = await selectDeclarations(store, actor, { id, withParties: true });
  if (!row) throw new StoreError('NOT_FOUND', `declaration ${id} not found`);
  const d = toDeclaration(row, false);
  // Explained by each active model when it learnt only from earlier days; else none.
  const explanation = await explainWith(store, actor, 'fraud', d);
  const criticalExplanation = await explainWith(store, actor, 'critical', d);
  const meta = json<ScoreMeta | null>(row.reasons);
  return {
    declaration: withoutLabels(d),
    score: row.score,
    criticalScore: row.critical_score,
    lane: (row.lane as Lane | null) ?? null,
    reasons: meta?.reasons ?? [],
    raises: meta?.raises ?? [],
    parties: partiesOf(row),
    inspection: toInspection(row),
    explanation,
    criticalExplanation,
  };
}

/** Records an officer's inspection result: feedback for the next training. */
export async function recordTargetingInspection(
  store: Store,
  actor: Actor,
  id: string,
  result: { fraud: 0 | 1; critical: 0 | 1 | 2; note?: string },
): Promise<InspectionResult> {
  assertRole(actor, ...TARGETING_INSPECTOR_ROLES);
  if (result.critical > 0 !== (result.fraud === 1))
    throw new StoreError('INVALID_ARGUMENT', 'critical must be 1 or 2 exactly when fraud is 1');
  const [row] = await selectDeclarations(store, actor, { id });
  if (!row) throw new StoreError('NOT_FOUND', `declaration ${id} not found`);
  await store.transaction(async (tx) => {
    await sql`
      INSERT INTO targeting_inspections (organisation_id, declaration_id, fraud, critical, source, note, recorded_by)
      VALUES (${actor.organisationId}, ${id}, ${result.fraud}, ${result.critical}, 'officer', ${result.note ?? ''}, ${actor.userId})
      ON CONFLICT (organisation_id, declaration_id) DO UPDATE SET fraud = excluded.fraud,
        critical = excluded.critical, source = 'officer', note = excluded.note,
        recorded_by = excluded.recorded_by, recorded_at = now()`.execute(raw(tx));
    await recordAudit(tx.db, {
      action: 'targeting.inspection.record',
      actor,
      targetType: 'declaration',
      targetId: id,
      details: { fraud: result.fraud, critical: result.critical },
    });
  });
  bumpGeneration(store, actor.organisationId);
  const [after] = await selectDeclarations(store, actor, { id });
  return toInspection(after as DeclRow) as InspectionResult;
}

/**
 * Trains a model on every inspected declaration of the organisation (optionally only those
 * dated before `until`) and makes it the active one for its objective.
 */
export async function trainTargetingModelFromStore(
  store: Store,
  actor: Actor,
  input: { objective: Objective; until?: string; groupKey?: boolean },
): Promise<StoredModel> {
  assertRole(actor, ...TARGETING_MANAGER_ROLES);
  const rows = await selectDeclarations(store, actor, {
    inspectedOnly: true,
    ...(input.until ? { before: input.until } : {}),
  });
  if (rows.length === 0)
    throw new StoreError('INVALID_ARGUMENT', 'no inspected declarations to train on');
  let model: TargetingModel;
  try {
    // Bagged members on worker threads (train-pool.ts); the same model as in process.
    model = await trainTargetingModelInWorkers(
      rows.map((r) => toDeclaration(r, true)),
      { objective: input.objective, features: { groupKey: input.groupKey ?? true } },
    );
  } catch (error) {
    if (error instanceof TargetingError) throw new StoreError('INVALID_ARGUMENT', error.message);
    throw error;
  }
  const id = crypto.randomUUID();
  await store.transaction(async (tx) => {
    await sql`UPDATE targeting_models SET active = false
      WHERE organisation_id = ${actor.organisationId} AND objective = ${input.objective}`.execute(
      raw(tx),
    );
    await sql`
      INSERT INTO targeting_models (id, organisation_id, objective, active, training, body, created_by)
      VALUES (${id}, ${actor.organisationId}, ${input.objective}, true,
        ${JSON.stringify(model.training)}::jsonb, ${model.serialize()}, ${actor.userId})`.execute(
      raw(tx),
    );
    await recordAudit(tx.db, {
      action: 'targeting.model.train',
      actor,
      targetType: 'targeting-model',
      targetId: id,
      details: { objective: input.objective, rows: model.training.rows },
    });
  });
  forgetModels(store, actor.organisationId);
  const [stored] = (await listTargetingModels(store, actor)).filter((m) => m.id === id);
  return stored as StoredModel;
}

export async function listTargetingModels(store: Store, actor: Actor): Promise<StoredModel[]> {
  assertRole(actor, ...TARGETING_READER_ROLES);
  const rows = await sql<{
    id: string;
    objective: string;
    active: boolean;
    created_at: unknown;
    training: unknown;
  }>`
    SELECT id, objective, active, created_at, training FROM targeting_models
    WHERE organisation_id = ${actor.organisationId} ORDER BY created_at DESC`.execute(raw(store));
  return rows.rows.map((r) => {
    const training = json<Record<string, unknown>>(r.training);
    const { validationCurve: _curve, holdoutMetrics, ...rest } = training;
    const metrics = Array.isArray(holdoutMetrics) ? (holdoutMetrics as AtN[]) : [];
    return {
      id: r.id,
      objective: r.objective as Objective,
      active: r.active,
      createdAt: iso(r.created_at),
      training: rest,
      earlyStoppingSlice:
        metrics.length === 0
          ? null
          : {
              label: EARLY_STOPPING_SLICE_LABEL,
              from: (training.earlyStoppingFrom as string | null | undefined) ?? null,
              to: String(training.lastDate),
              declarations: Number(training.earlyStoppingRows ?? 0),
              metrics,
            },
    };
  });
}

export async function listTargetingRules(store: Store, actor: Actor): Promise<StoredRule[]> {
  assertRole(actor, ...TARGETING_READER_ROLES);
  const rows = await sql<{ id: string; rule: unknown; created_at: unknown }>`
    SELECT id, rule, created_at FROM targeting_rules
    WHERE organisation_id = ${actor.organisationId} ORDER BY created_at`.execute(raw(store));
  return rows.rows.map((r) => ({
    ...json<TargetingRule>(r.rule),
    id: r.id,
    createdAt: iso(r.created_at),
  }));
}

export async function createTargetingRule(
  store: Store,
  actor: Actor,
  input: unknown,
): Promise<StoredRule> {
  assertRole(actor, ...TARGETING_MANAGER_ROLES);
  let rule: TargetingRule;
  try {
    [rule] = parseRules([input]) as [TargetingRule];
  } catch (error) {
    if (error instanceof TargetingError) throw new StoreError('INVALID_ARGUMENT', error.message);
    throw error;
  }
  const id = crypto.randomUUID();
  await store.transaction(async (tx) => {
    await sql`INSERT INTO targeting_rules (id, organisation_id, rule, created_by)
      VALUES (${id}, ${actor.organisationId}, ${JSON.stringify({ ...rule, id })}::jsonb, ${actor.userId})`.execute(
      raw(tx),
    );
    await recordAudit(tx.db, {
      action: 'targeting.rule.create',
      actor,
      targetType: 'targeting-rule',
      targetId: id,
    });
  });
  const [stored] = (await listTargetingRules(store, actor)).filter((r) => r.id === id);
  return stored as StoredRule;
}

export async function deleteTargetingRule(store: Store, actor: Actor, id: string): Promise<void> {
  assertRole(actor, ...TARGETING_MANAGER_ROLES);
  await store.transaction(async (tx) => {
    const res =
      await sql`DELETE FROM targeting_rules WHERE id = ${id} AND organisation_id = ${actor.organisationId}`.execute(
        raw(tx),
      );
    if (Number(res.numAffectedRows ?? 0) === 0)
      throw new StoreError('NOT_FOUND', `rule ${id} not found`);
    await recordAudit(tx.db, {
      action: 'targeting.rule.delete',
      actor,
      targetType: 'targeting-rule',
      targetId: id,
    });
  });
}

/**
 * Counts for the server's summary: the actor's organisation's declarations and inspection results
 * only. Declarations are an agency's own records (DESIGN.md: "one deployment serves one
 * organisation", others are tenants whose data stays theirs), so even their number is not shown
 * to another organisation.
 */
export async function targetingCounts(
  store: Store,
  actor: Actor,
): Promise<{ declarations: number; inspections: number }> {
  assertRole(actor, ...TARGETING_READER_ROLES);
  const r = await sql<{ d: string | number; i: string | number }>`
    SELECT (SELECT count(*) FROM targeting_declarations WHERE organisation_id = ${actor.organisationId}) AS d,
      (SELECT count(*) FROM targeting_inspections WHERE organisation_id = ${actor.organisationId}) AS i`.execute(
    raw(store),
  );
  return { declarations: Number(r.rows[0]?.d ?? 0), inspections: Number(r.rows[0]?.i ?? 0) };
}
