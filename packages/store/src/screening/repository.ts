import { sha256Hex } from '@interdict/core';
import {
  diffLists,
  parseOfac,
  parseUnConsolidated,
  type Entity,
  type ListVersion,
  type ParsedList,
} from '@interdict/screening';
import { sql, type Kysely } from 'kysely';
import { assertRole, type Actor, type Role } from '../actor';
import { StoreError } from '../errors';
import { recordAudit } from '../repositories/audit';
import type { Store } from '../store';

/** Watchlists are reference data for the whole instance; partners see shared intelligence only. */
export const SCREENING_READER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer'];
/** Who may confirm or dismiss a hit. */
export const SCREENING_DECIDER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];

export type OfacPart = 'sdn' | 'alt' | 'add' | 'comments';

export interface StoredListVersion extends ListVersion {
  readonly storedId: string;
  readonly current: boolean;
  readonly sourceName: string;
  readonly ingestedAt: string;
  readonly diff: { added: number; changed: number; removed: number; sample: string[] };
}

export interface ScreeningDecision {
  readonly id: string;
  readonly organisationId: string;
  readonly userId: string | null;
  readonly entityId: string;
  readonly queryName: string;
  readonly decision: 'confirmed' | 'dismissed';
  readonly note: string;
  readonly score: number | null;
  readonly listVersions: readonly string[];
  readonly createdAt: string;
  /** Where the decision is committed to the ledger: log origin and leaf index (null before). */
  readonly ledger: { readonly origin: string; readonly index: number } | null;
}

/**
 * The record a decision's ledger envelope commits to: every field of the decision as taken
 * (not where it was later committed). Its RFC 8785 canonical JSON is the ledger entry's body.
 */
export function screeningDecisionRecord(d: ScreeningDecision): Record<string, unknown> {
  return {
    id: d.id,
    organisationId: d.organisationId,
    userId: d.userId,
    entityId: d.entityId,
    queryName: d.queryName,
    decision: d.decision,
    note: d.note,
    score: d.score,
    listVersions: [...d.listVersions],
    createdAt: d.createdAt,
  };
}

/** Remember the ledger leaf that commits to a decision of the actor's organisation. */
export async function setScreeningDecisionLedger(
  store: Store,
  actor: Actor,
  decisionId: string,
  ledger: { origin: string; index: number },
): Promise<ScreeningDecision> {
  assertRole(actor, ...SCREENING_DECIDER_ROLES);
  const r = await sql`
    UPDATE screening_decisions SET ledger_origin = ${ledger.origin}, ledger_index = ${ledger.index}
    WHERE id = ${decisionId} AND organisation_id = ${actor.organisationId}
      AND ledger_index IS NULL`.execute(raw(store));
  if (Number(r.numAffectedRows ?? 0) === 0)
    throw new StoreError('NOT_FOUND', `no uncommitted decision ${decisionId}`);
  const [decision] = await listScreeningDecisions(store, actor, { id: decisionId });
  return decision!;
}

const raw = (store: Store): Kysely<unknown> => store.db as unknown as Kysely<unknown>;

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function* chunks(text: string): Generator<string> {
  for (let i = 0; i < text.length; i += 1 << 20) yield text.slice(i, i + (1 << 20));
}

/** Keep the latest file of one part of a list (called inside the ingest job's transaction). */
export async function saveListPart(
  store: Store,
  list: string,
  part: string,
  sourceName: string,
  body: string,
  jobId: string | null,
): Promise<void> {
  const db = raw(store);
  if (list === 'ofac' && part === 'sdn') {
    // Supplements (alt, add, comments) belong to the sdn.csv they came with.
    await sql`DELETE FROM screening_sources WHERE list = 'ofac'`.execute(db);
  }
  await sql`
    INSERT INTO screening_sources (list, part, source_name, sha256, body, job_id)
    VALUES (${list}, ${part}, ${sourceName}, ${sha256Hex(body)}, ${body}, ${jobId})
    ON CONFLICT (list, part) DO UPDATE SET source_name = excluded.source_name,
      sha256 = excluded.sha256, body = excluded.body, job_id = excluded.job_id,
      ingested_at = now()`.execute(db);
}

async function parts(
  store: Store,
  list: string,
): Promise<Map<string, { body: string; name: string }>> {
  const rows = await sql<{ part: string; body: string; source_name: string }>`
    SELECT part, body, source_name FROM screening_sources WHERE list = ${list}`.execute(raw(store));
  return new Map(rows.rows.map((r) => [r.part, { body: r.body, name: r.source_name }]));
}

/** Parse the stored parts of a list into its entities. */
export async function parseStoredList(store: Store, list: 'ofac' | 'un'): Promise<ParsedList> {
  const p = await parts(store, list);
  if (list === 'un') {
    const xml = p.get('xml');
    if (!xml) throw new StoreError('INVALID_ARGUMENT', 'no UN consolidated list has been uploaded');
    return parseUnConsolidated(chunks(xml.body));
  }
  const sdn = p.get('sdn');
  if (!sdn) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      'upload OFAC sdn.csv before its alt.csv, add.csv or sdn_comments.csv',
    );
  }
  const dated = /(\d{4}-\d{2}-\d{2})/.exec(sdn.name)?.[1];
  const get = (k: string) => p.get(k);
  return parseOfac({
    sdn: chunks(sdn.body),
    ...(get('alt') ? { alt: chunks(get('alt')!.body) } : {}),
    ...(get('add') ? { add: chunks(get('add')!.body) } : {}),
    ...(get('comments') ? { comments: chunks(get('comments')!.body) } : {}),
    ...(dated ? { published: dated } : {}),
  });
}

async function currentVersionRow(
  store: Store,
  list: string,
): Promise<{ id: string; content_hash: string } | undefined> {
  const rows = await sql<{ id: string; content_hash: string }>`
    SELECT id, content_hash FROM screening_list_versions WHERE list = ${list} AND current`.execute(
    raw(store),
  );
  return rows.rows[0];
}

async function entitiesOf(store: Store, versionId: string): Promise<Entity[]> {
  const rows = await sql<{ data: unknown }>`
    SELECT data FROM screening_entities WHERE version_id = ${versionId} ORDER BY entity_id`.execute(
    raw(store),
  );
  return rows.rows.map((r) => json<Entity>(r.data));
}

/**
 * Make `parsed` the list version in force: a new version row with its entities and what changed
 * against the previous one. The same content again changes nothing.
 */
export async function installListVersion(
  store: Store,
  parsed: ParsedList,
  sourceName: string,
  jobId: string | null,
  progress?: (done: number, total: number) => void,
): Promise<{
  version: string;
  unchanged: boolean;
  added: number;
  changed: number;
  removed: number;
}> {
  const db = raw(store);
  const list = parsed.version.source;
  const previous = await currentVersionRow(store, list);
  if (previous && previous.content_hash === parsed.version.contentHash) {
    return { version: previous.id, unchanged: true, added: 0, changed: 0, removed: 0 };
  }
  const before = previous ? await entitiesOf(store, previous.id) : [];
  const diff = diffLists(before, parsed.entities);
  const storedId = `${parsed.version.id}#${parsed.version.contentHash.slice(0, 8)}`;
  const existing = await sql<{ id: string }>`
    SELECT id FROM screening_list_versions WHERE id = ${storedId}`.execute(db);
  if (existing.rows.length === 0) {
    await sql`
      INSERT INTO screening_list_versions (id, list, published, content_hash, counts, diff, source_name, job_id)
      VALUES (${storedId}, ${list}, ${parsed.version.published ?? null}, ${parsed.version.contentHash},
        ${JSON.stringify(parsed.version.counts)}, ${JSON.stringify({
          added: diff.added.length,
          changed: diff.changed.length,
          removed: diff.removed.length,
          sample: [...diff.added.slice(0, 20), ...diff.removed.slice(0, 20)],
        })}, ${sourceName}, ${jobId})`.execute(db);
    const batch = 500;
    for (let i = 0; i < parsed.entities.length; i += batch) {
      const slice = parsed.entities.slice(i, i + batch);
      await sql`
        INSERT INTO screening_entities (version_id, entity_id, schema, primary_name, data)
        VALUES ${sql.join(
          slice.map(
            (e) =>
              sql`(${storedId}, ${e.id}, ${e.schema}, ${e.names[0]?.full ?? ''}, ${JSON.stringify(e)})`,
          ),
        )}`.execute(db);
      progress?.(Math.min(i + batch, parsed.entities.length), parsed.entities.length);
    }
  }
  await sql`UPDATE screening_list_versions SET current = (id = ${storedId}) WHERE list = ${list}`.execute(
    db,
  );
  forgetScreeningVersionKey(store);
  return {
    version: storedId,
    unchanged: false,
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
  };
}

function toVersion(r: Record<string, unknown>): StoredListVersion {
  const counts = json<ListVersion['counts']>(r.counts);
  const id = String(r.id);
  return {
    id: id.split('#')[0]!,
    storedId: id,
    source: String(r.list),
    ...(typeof r.published === 'string' ? { published: r.published } : {}),
    contentHash: String(r.content_hash),
    counts,
    current: r.current === true,
    sourceName: String(r.source_name),
    ingestedAt: iso(r.ingested_at),
    diff: json(r.diff),
  };
}

/** Every list version, newest first; the ones in force have `current`. */
export async function listScreeningVersions(
  store: Store,
  actor: Actor,
): Promise<StoredListVersion[]> {
  assertRole(actor, ...SCREENING_READER_ROLES);
  const rows = await sql<Record<string, unknown>>`
    SELECT id, list, published, content_hash, counts, diff, source_name, current, ingested_at
    FROM screening_list_versions ORDER BY ingested_at DESC, id`.execute(raw(store));
  return rows.rows.map(toVersion);
}

/** The entities of every list version in force, for building the screening index. */
export async function currentScreeningEntities(
  store: Store,
  actor: Actor,
): Promise<{ versions: StoredListVersion[]; entities: Entity[] }> {
  const versions = (await listScreeningVersions(store, actor)).filter((v) => v.current);
  const entities: Entity[] = [];
  for (const v of versions) entities.push(...(await entitiesOf(store, v.storedId)));
  return { versions, entities };
}

/**
 * Where the key of the list versions in force was last read, per store (keyed by the store's
 * shared cache object, so every view of one store, transactions included, finds the same entry).
 * `epoch` counts the list installs seen in this process: a read that started before an install
 * never stores its (older) answer.
 */
interface VersionKeyCache {
  key: string | undefined;
  readAt: number;
  epoch: number;
}
const versionKeys = new WeakMap<object, VersionKeyCache>();

/**
 * How long a key read from PostgreSQL is trusted (INTERDICT_SCREENING_VERSION_TTL_MS, default
 * 1,000 ms): another replica's list import shows in this replica's results at most this long after
 * it commits. PGlite is opened by one process only, so there the key is kept until an install in
 * this process (see `forgetScreeningVersionKey`). 0: read on every request, on either engine.
 */
export function screeningVersionTtlMs(): number {
  const n = Number(process.env.INTERDICT_SCREENING_VERSION_TTL_MS ?? 1000);
  return Number.isFinite(n) && n >= 0 ? n : 1000;
}

function versionKeyCache(store: Store): VersionKeyCache {
  let c = versionKeys.get(store.cache);
  if (!c) {
    c = { key: undefined, readAt: 0, epoch: 0 };
    versionKeys.set(store.cache, c);
  }
  return c;
}

/**
 * A list install in this process (called inside the import's transaction): forget the remembered
 * key. On PGlite the transaction holds the only session, so the next read waits for it to commit
 * or roll back and sees the outcome; on PostgreSQL a read meanwhile still sees the previous
 * versions, which the TTL then bounds.
 */
export function forgetScreeningVersionKey(store: Store): void {
  const c = versionKeyCache(store);
  c.key = undefined;
  c.epoch++;
}

/**
 * The key of the list versions in force (their stored ids, in `listScreeningVersions` order): what
 * a match request checks before using a built index. Read with one small query, remembered
 * outside transactions (see `screeningVersionTtlMs`) so a match request usually asks the database
 * nothing. Whatever the key, a result names the versions of the index that produced it.
 */
export async function currentScreeningVersionKey(store: Store, actor: Actor): Promise<string> {
  assertRole(actor, ...SCREENING_READER_ROLES);
  // Inside a transaction the answer may include its own uncommitted install: never cached.
  const ttl = screeningVersionTtlMs();
  if (store.db.isTransaction || ttl === 0) return readVersionKey(store);
  const c = versionKeyCache(store);
  const now = Date.now();
  if (c.key !== undefined && (store.engine === 'pglite' || now - c.readAt < ttl)) {
    return c.key;
  }
  const epoch = c.epoch;
  const key = await readVersionKey(store);
  if (c.epoch === epoch) {
    c.key = key;
    c.readAt = now;
  }
  return key;
}

async function readVersionKey(store: Store): Promise<string> {
  const rows = await sql<{ key: string | null }>`
    SELECT string_agg(id, '|' ORDER BY ingested_at DESC, id) AS key
    FROM screening_list_versions WHERE current`.execute(raw(store));
  return rows.rows[0]?.key ?? '';
}

/**
 * What a screening worker pool builds its index from: the versions in force (key = their stored
 * ids, as for `currentScreeningIndex`) and their entities as one JSON array, assembled by the
 * database (json_agg) so the main thread parses nothing and a single string goes to each worker.
 */
export async function screeningIndexSource(
  store: Store,
  actor: Actor,
): Promise<{ key: string; listVersions: string[]; entitiesJson: string }> {
  const versions = (await listScreeningVersions(store, actor)).filter((v) => v.current);
  const parts: string[] = [];
  for (const v of versions) {
    const rows = await sql<{ json: string | null }>`
      SELECT json_agg(data ORDER BY entity_id)::text AS json
      FROM screening_entities WHERE version_id = ${v.storedId}`.execute(raw(store));
    const text = rows.rows[0]?.json;
    // Strip the outer brackets so the versions' arrays join into one.
    if (text && text.length > 2) parts.push(text.slice(1, -1));
  }
  return {
    key: versions.map((v) => v.storedId).join('|'),
    listVersions: versions.map((v) => v.id),
    entitiesJson: `[${parts.join(',')}]`,
  };
}

/** One entity of a version in force, or NOT_FOUND. */
export async function getScreeningEntity(
  store: Store,
  actor: Actor,
  entityId: string,
): Promise<{ entity: Entity; version: string }> {
  assertRole(actor, ...SCREENING_READER_ROLES);
  const rows = await sql<{ data: unknown; version_id: string }>`
    SELECT e.data, e.version_id FROM screening_entities e
    JOIN screening_list_versions v ON v.id = e.version_id AND v.current
    WHERE e.entity_id = ${entityId}`.execute(raw(store));
  const row = rows.rows[0];
  if (!row) throw new StoreError('NOT_FOUND', `no listed entity ${entityId}`);
  return { entity: json<Entity>(row.data), version: row.version_id };
}

/** Record an officer's decision on a hit (with an audit event, in one transaction). */
export async function recordScreeningDecision(
  store: Store,
  actor: Actor,
  input: {
    entityId: string;
    queryName: string;
    decision: 'confirmed' | 'dismissed';
    note?: string;
    score?: number;
    listVersions: readonly string[];
  },
): Promise<ScreeningDecision> {
  assertRole(actor, ...SCREENING_DECIDER_ROLES);
  await getScreeningEntity(store, actor, input.entityId);
  const id = crypto.randomUUID();
  return store.transaction(async (tx) => {
    await sql`
      INSERT INTO screening_decisions (id, organisation_id, user_id, entity_id, query_name, decision, note, score, list_versions)
      VALUES (${id}, ${actor.organisationId}, ${actor.userId}, ${input.entityId}, ${input.queryName},
        ${input.decision}, ${input.note ?? ''}, ${input.score ?? null}, ${JSON.stringify(input.listVersions)})`.execute(
      raw(tx),
    );
    await recordAudit(tx.db, {
      action: `screening.decision.${input.decision}`,
      actor,
      targetType: 'screening-entity',
      targetId: input.entityId,
      details: { queryName: input.queryName, score: input.score ?? null },
    });
    const [decision] = await listScreeningDecisions(tx, actor, { id });
    return decision!;
  });
}

/** Decisions of the actor's organisation, newest first (never another organisation's). */
export async function listScreeningDecisions(
  store: Store,
  actor: Actor,
  filter: { entityId?: string; id?: string } = {},
): Promise<ScreeningDecision[]> {
  assertRole(actor, ...SCREENING_READER_ROLES);
  const rows = await sql<Record<string, unknown>>`
    SELECT * FROM screening_decisions
    WHERE organisation_id = ${actor.organisationId}
      AND (${filter.entityId ?? null}::text IS NULL OR entity_id = ${filter.entityId ?? null})
      AND (${filter.id ?? null}::text IS NULL OR id = ${filter.id ?? null})
    ORDER BY created_at DESC LIMIT 500`.execute(raw(store));
  return rows.rows.map((r) => ({
    id: String(r.id),
    organisationId: String(r.organisation_id),
    userId: typeof r.user_id === 'string' ? r.user_id : null,
    entityId: String(r.entity_id),
    queryName: String(r.query_name),
    decision: r.decision === 'confirmed' ? 'confirmed' : 'dismissed',
    note: String(r.note),
    score: r.score == null ? null : Number(r.score),
    listVersions: json<string[]>(r.list_versions),
    createdAt: iso(r.created_at),
    ledger:
      r.ledger_index == null
        ? null
        : { origin: String(r.ledger_origin), index: Number(r.ledger_index) },
  }));
}

/** Count of entities in force and the latest ingest, for the summary page. */
export async function screeningSummary(
  store: Store,
): Promise<{ count: number; updatedAt: string | null }> {
  const rows = await sql<{ n: unknown; at: unknown }>`
    SELECT coalesce(sum((counts->>'entities')::int), 0) AS n, max(ingested_at) AS at
    FROM screening_list_versions WHERE current`.execute(raw(store));
  const r = rows.rows[0];
  return { count: Number(r?.n ?? 0), updatedAt: r?.at ? iso(r.at) : null };
}
