import { sha256Hex } from '@interdict/core';
import {
  diffLists,
  parseOfac,
  parseUnConsolidated,
  type Entity,
  type ListVersion,
  type ParsedList,
} from '@interdict/screening';
import { sql, type Selectable } from 'kysely';
import type { Actor } from '../actor';
import { StoreError } from '../errors';
import type { Store } from '../store';
import type { ScreeningTables } from './tables';

// Screening I/O (issue 12 §2): list versions and their entities are reference data of the whole
// instance (every organisation screens against the same lists), decisions belong to the deciding
// organisation and every query on them is scoped to the actor's. Who may do what is decided by
// the screening service (packages/services/src/screening), before it calls in here.

export type OfacPart = 'sdn' | 'alt' | 'add' | 'comments';

export interface StoredListVersion extends ListVersion {
  /** The row id: `<id>#<first 8 hex of the content hash>`, unique per content. */
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
  /** The name actually screened. */
  readonly queryName: string;
  readonly decision: 'confirmed' | 'dismissed';
  readonly note: string;
  /** The score of the hit decided on, as the officer saw it. */
  readonly score: number | null;
  readonly listVersions: readonly string[];
  readonly createdAt: string;
  /** Where the decision is committed to the ledger: log origin and leaf index (null before). */
  readonly ledger: { readonly origin: string; readonly index: number } | null;
}

/** What a list install did: the version in force, and what changed against the one it replaced. */
export interface InstalledListVersion {
  /** Stored id of the version in force. */
  readonly version: string;
  /** True when the content equals the version already in force (nothing changed). */
  readonly unchanged: boolean;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  /** Stored id of the version it replaced (null for a list's first version). */
  readonly replaces: string | null;
}

const iso = (value: Date | string): string =>
  value instanceof Date ? value.toISOString() : String(value);

/** jsonb comes back parsed from both engines; a text column holding JSON does not. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function* chunks(text: string): Generator<string> {
  for (let i = 0; i < text.length; i += 1 << 20) yield text.slice(i, i + (1 << 20));
}

/**
 * Keep the latest file of one part of a list (called inside the ingest job's transaction).
 * Returns the SHA-256 of the file's text, which the list version's ledger record names.
 */
export async function saveListPart(
  store: Store,
  list: string,
  part: string,
  sourceName: string,
  body: string,
  jobId: string | null,
): Promise<{ sha256: string }> {
  if (list === 'ofac' && part === 'sdn') {
    // Supplements (alt, add, comments) belong to the sdn.csv they came with.
    await store.db.deleteFrom('screening_sources').where('list', '=', 'ofac').execute();
  }
  const sha256 = sha256Hex(body);
  await store.db
    .insertInto('screening_sources')
    .values({ list, part, source_name: sourceName, sha256, body, job_id: jobId })
    .onConflict((oc) =>
      oc.columns(['list', 'part']).doUpdateSet((eb) => ({
        source_name: eb.ref('excluded.source_name'),
        sha256: eb.ref('excluded.sha256'),
        body: eb.ref('excluded.body'),
        job_id: eb.ref('excluded.job_id'),
        ingested_at: sql<Date>`now()`,
      })),
    )
    .execute();
  return { sha256 };
}

async function parts(
  store: Store,
  list: string,
): Promise<Map<string, { body: string; name: string }>> {
  const rows = await store.db
    .selectFrom('screening_sources')
    .select(['part', 'body', 'source_name'])
    .where('list', '=', list)
    .execute();
  return new Map(rows.map((r) => [r.part, { body: r.body, name: r.source_name }]));
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
  const alt = p.get('alt');
  const add = p.get('add');
  const comments = p.get('comments');
  return parseOfac({
    sdn: chunks(sdn.body),
    ...(alt ? { alt: chunks(alt.body) } : {}),
    ...(add ? { add: chunks(add.body) } : {}),
    ...(comments ? { comments: chunks(comments.body) } : {}),
    ...(dated ? { published: dated } : {}),
  });
}

async function currentVersionRow(
  store: Store,
  list: string,
): Promise<{ id: string; content_hash: string } | undefined> {
  return store.db
    .selectFrom('screening_list_versions')
    .select(['id', 'content_hash'])
    .where('list', '=', list)
    .where('current', '=', true)
    .executeTakeFirst();
}

async function entitiesOf(store: Store, versionId: string): Promise<Entity[]> {
  const rows = await store.db
    .selectFrom('screening_entities')
    .select('data')
    .where('version_id', '=', versionId)
    .orderBy('entity_id')
    .execute();
  return rows.map((r) => json<Entity>(r.data));
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
): Promise<InstalledListVersion> {
  const list = parsed.version.source;
  const previous = await currentVersionRow(store, list);
  if (previous && previous.content_hash === parsed.version.contentHash) {
    return {
      version: previous.id,
      unchanged: true,
      added: 0,
      changed: 0,
      removed: 0,
      replaces: null,
    };
  }
  const before = previous ? await entitiesOf(store, previous.id) : [];
  const diff = diffLists(before, parsed.entities);
  const storedId = `${parsed.version.id}#${parsed.version.contentHash.slice(0, 8)}`;
  const existing = await store.db
    .selectFrom('screening_list_versions')
    .select('id')
    .where('id', '=', storedId)
    .executeTakeFirst();
  if (!existing) {
    await store.db
      .insertInto('screening_list_versions')
      .values({
        id: storedId,
        list,
        published: parsed.version.published ?? null,
        content_hash: parsed.version.contentHash,
        counts: JSON.stringify(parsed.version.counts),
        diff: JSON.stringify({
          added: diff.added.length,
          changed: diff.changed.length,
          removed: diff.removed.length,
          sample: [...diff.added.slice(0, 20), ...diff.removed.slice(0, 20)],
        }),
        source_name: sourceName,
        job_id: jobId,
      })
      .execute();
    const batch = 500;
    for (let i = 0; i < parsed.entities.length; i += batch) {
      const slice = parsed.entities.slice(i, i + batch);
      await store.db
        .insertInto('screening_entities')
        .values(
          slice.map((e) => ({
            version_id: storedId,
            entity_id: e.id,
            schema: e.schema,
            primary_name: e.names[0]?.full ?? '',
            data: JSON.stringify(e),
          })),
        )
        .execute();
      progress?.(Math.min(i + batch, parsed.entities.length), parsed.entities.length);
    }
  }
  await store.db
    .updateTable('screening_list_versions')
    .set({ current: sql<boolean>`id = ${storedId}` })
    .where('list', '=', list)
    .execute();
  return {
    version: storedId,
    unchanged: false,
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    replaces: previous?.id ?? null,
  };
}

type VersionRow = Selectable<ScreeningTables['screening_list_versions']>;

function toVersion(r: VersionRow): StoredListVersion {
  return {
    id: r.id.split('#')[0]!,
    storedId: r.id,
    source: r.list,
    ...(r.published !== null ? { published: r.published } : {}),
    contentHash: r.content_hash,
    counts: json<ListVersion['counts']>(r.counts),
    current: r.current,
    sourceName: r.source_name,
    ingestedAt: iso(r.ingested_at),
    diff: json<StoredListVersion['diff']>(r.diff),
  };
}

/** Every list version, newest first; the ones in force have `current`. */
export async function listScreeningVersions(store: Store): Promise<StoredListVersion[]> {
  const rows = await store.db
    .selectFrom('screening_list_versions')
    .selectAll()
    .orderBy('ingested_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toVersion);
}

/** The list versions in force, in `listScreeningVersions` order. */
export async function currentScreeningVersions(store: Store): Promise<StoredListVersion[]> {
  const rows = await store.db
    .selectFrom('screening_list_versions')
    .selectAll()
    .where('current', '=', true)
    .orderBy('ingested_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toVersion);
}

/** The entities of every list version in force, for building a screening index. */
export async function currentScreeningEntities(
  store: Store,
): Promise<{ versions: StoredListVersion[]; entities: Entity[] }> {
  const versions = await currentScreeningVersions(store);
  const entities: Entity[] = [];
  for (const v of versions) entities.push(...(await entitiesOf(store, v.storedId)));
  return { versions, entities };
}

/**
 * The key of the list versions in force: their stored ids (each carries its content hash, so the
 * same key always means the same entities), in `listScreeningVersions` order. One small query;
 * the screening service decides how long to remember it.
 */
export async function readScreeningVersionKey(store: Store): Promise<string> {
  const rows = await sql<{ key: string | null }>`
    SELECT string_agg(id, '|' ORDER BY ingested_at DESC, id) AS key
    FROM screening_list_versions WHERE current`.execute(store.db);
  return rows.rows[0]?.key ?? '';
}

/**
 * What a screening worker pool builds its index from: the versions in force (key = their stored
 * ids, as `readScreeningVersionKey`) and their entities as one JSON array, assembled by the
 * database (json_agg) so the main thread parses nothing and a single string goes to each worker.
 */
export async function screeningIndexSource(
  store: Store,
): Promise<{ key: string; listVersions: string[]; entitiesJson: string }> {
  const versions = await currentScreeningVersions(store);
  const texts: string[] = [];
  for (const v of versions) {
    const rows = await sql<{ json: string | null }>`
      SELECT json_agg(data ORDER BY entity_id)::text AS json
      FROM screening_entities WHERE version_id = ${v.storedId}`.execute(store.db);
    const text = rows.rows[0]?.json;
    // Strip the outer brackets so the versions' arrays join into one.
    if (text && text.length > 2) texts.push(text.slice(1, -1));
  }
  return {
    key: versions.map((v) => v.storedId).join('|'),
    listVersions: versions.map((v) => v.id),
    entitiesJson: `[${texts.join(',')}]`,
  };
}

/** One entity of a version in force (with the stored id of its version), or NOT_FOUND. */
export async function getScreeningEntity(
  store: Store,
  entityId: string,
): Promise<{ entity: Entity; version: string }> {
  const row = await store.db
    .selectFrom('screening_entities as e')
    .innerJoin('screening_list_versions as v', (join) =>
      join.onRef('v.id', '=', 'e.version_id').on('v.current', '=', true),
    )
    .select(['e.data', 'e.version_id'])
    .where('e.entity_id', '=', entityId)
    .executeTakeFirst();
  if (!row) throw new StoreError('NOT_FOUND', `no listed entity ${entityId}`);
  return { entity: json<Entity>(row.data), version: row.version_id };
}

/**
 * Store a decision of the actor's organisation on a hit (the caller's transaction: the screening
 * service writes it with its audit event and its ledger entry).
 */
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
  const row = await store.db
    .insertInto('screening_decisions')
    .values({
      id: crypto.randomUUID(),
      organisation_id: actor.organisationId,
      user_id: actor.userId,
      entity_id: input.entityId,
      query_name: input.queryName,
      decision: input.decision,
      note: input.note ?? '',
      score: input.score ?? null,
      list_versions: JSON.stringify(input.listVersions),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDecision(row);
}

/**
 * Remember the ledger leaf that commits to a decision of the actor's organisation (once:
 * NOT_FOUND for another organisation's decision, or one already committed).
 */
export async function setScreeningDecisionLedger(
  store: Store,
  actor: Actor,
  decisionId: string,
  ledger: { origin: string; index: number },
): Promise<ScreeningDecision> {
  const row = await store.db
    .updateTable('screening_decisions')
    .set({ ledger_origin: ledger.origin, ledger_index: ledger.index })
    .where('id', '=', decisionId)
    .where('organisation_id', '=', actor.organisationId)
    .where('ledger_index', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new StoreError('NOT_FOUND', `no uncommitted decision ${decisionId}`);
  return toDecision(row);
}

function toDecision(r: Selectable<ScreeningTables['screening_decisions']>): ScreeningDecision {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    userId: r.user_id,
    entityId: r.entity_id,
    queryName: r.query_name,
    decision: r.decision === 'confirmed' ? 'confirmed' : 'dismissed',
    note: r.note,
    score: r.score === null ? null : Number(r.score),
    listVersions: json<string[]>(r.list_versions),
    createdAt: iso(r.created_at),
    ledger:
      r.ledger_index === null || r.ledger_origin === null
        ? null
        : { origin: r.ledger_origin, index: Number(r.ledger_index) },
  };
}

/** Decisions of the actor's organisation, newest first (never another organisation's). */
export async function listScreeningDecisions(
  store: Store,
  actor: Actor,
  filter: { entityId?: string; id?: string } = {},
): Promise<ScreeningDecision[]> {
  let q = store.db
    .selectFrom('screening_decisions')
    .selectAll()
    .where('organisation_id', '=', actor.organisationId);
  if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
  return rows.map(toDecision);
}

/** Count of entities in force and the latest ingest, for the summary page. */
export async function screeningSummary(
  store: Store,
): Promise<{ count: number; updatedAt: string | null }> {
  const r = await sql<{ n: unknown; at: Date | string | null }>`
    SELECT coalesce(sum((counts->>'entities')::int), 0) AS n, max(ingested_at) AS at
    FROM screening_list_versions WHERE current`
    .execute(store.db)
    .then((rows) => rows.rows[0]);
  return { count: Number(r?.n ?? 0), updatedAt: r?.at ? iso(r.at) : null };
}
