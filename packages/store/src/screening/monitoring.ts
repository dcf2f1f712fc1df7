import {
  checkQueryName,
  countryCode,
  SCHEMAS,
  ScreeningIndex,
  type Schema,
  type ScreeningQuery,
} from '@interdict/screening';
import { sql, type Kysely } from 'kysely';
import { assertRole, type Actor, type Role } from '../actor';
import { StoreError } from '../errors';
import { recordAudit } from '../repositories/audit';
import type { Store } from '../store';
import {
  currentScreeningEntities,
  currentScreeningVersionKey,
  listScreeningVersions,
  screeningIndexSource,
  type StoredListVersion,
} from './repository';
import { screeningPoolOf, type ScreeningGeneration, type ScreeningWorkerPool } from './worker-pool';
import { compactHit, type PooledHit } from './worker-protocol';

/**
 * Who may keep parties under watch, set their thresholds and acknowledge their alerts (within
 * their own organisation).
 */
export const SCREENING_MONITOR_ROLES: readonly Role[] = ['admin', 'analyst', 'officer'];
/** Who may read the organisation's monitored parties, alerts and thresholds (viewers read). */
export const SCREENING_MONITOR_READER_ROLES: readonly Role[] = [
  'admin',
  'analyst',
  'officer',
  'viewer',
];
/** Who may set the organisation's default alert threshold. */
export const SCREENING_MONITOR_SETTINGS_ROLES: readonly Role[] = ['admin'];

/** Score at which a monitored party counts as hitting a listed entity, unless set otherwise. */
export const MONITOR_THRESHOLD = 0.7;
/**
 * Lowest alert threshold an organisation or party may set. Below it nearly every common name
 * scores a hit on some listed name, and the queue would be noise.
 */
export const MIN_MONITOR_THRESHOLD = 0.5;
const HITS_PER_PARTY = 20;

export interface MonitoredPartyInput {
  readonly name: string;
  readonly schema?: Schema;
  readonly birthDate?: string;
  readonly nationality?: string;
  readonly identifiers?: readonly { readonly type?: string; readonly value: string }[];
  readonly note?: string;
  /** Alert threshold for this party; omitted or null: the organisation's default. */
  readonly threshold?: number | null;
}

export interface PartyHit {
  readonly partyId: string;
  readonly entityId: string;
  readonly entityName: string;
  readonly matchedName: string;
  readonly score: number;
  /** The stored id of the list version in force when the hit was first found. */
  readonly listVersion: string;
  /** `added`: found when the party was added; `list-update`: new after a list update (an alert). */
  readonly trigger: 'added' | 'list-update';
  readonly explanation: unknown;
  readonly createdAt: string;
  /** Set once an officer has acknowledged the alert (it then leaves the open queue). */
  readonly acknowledgement: {
    readonly at: string;
    readonly by: string | null;
    /** The acknowledging user's name, when a user (not the system) did it. */
    readonly byName: string | null;
    readonly note: string;
  } | null;
}

export interface MonitoredParty {
  readonly id: string;
  readonly organisationId: string;
  readonly name: string;
  readonly schema: Schema | null;
  readonly birthDate: string | null;
  readonly nationality: string | null;
  readonly identifiers: readonly { readonly type?: string; readonly value: string }[];
  readonly note: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  /** The party's own alert threshold, or null when it follows the organisation's default. */
  readonly threshold: number | null;
  /** The threshold its screening uses: its own, else the organisation's, else 0.7. */
  readonly effectiveThreshold: number;
  readonly hits: readonly PartyHit[];
}

export interface ScreeningMonitorSettings {
  /** The organisation's default alert threshold (MONITOR_THRESHOLD unless set). */
  readonly threshold: number;
  readonly custom: boolean;
  readonly updatedBy: string | null;
  readonly updatedAt: string | null;
}

export type AlertStatus = 'open' | 'acknowledged' | 'all';

export interface ScreeningAlert extends PartyHit {
  readonly partyName: string;
}

const raw = (store: Store): Kysely<unknown> => store.db as unknown as Kysely<unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

// One index, keyed by the stored ids of the versions in force (each carries its content hash,
// so the same key always means the same entities, whichever store or transaction read them).
let cachedIndex: { key: string; index: ScreeningIndex } | undefined;

/** The screening index over every list version in force (rebuilt when a version changes). */
export async function currentScreeningIndex(
  store: Store,
  actor: Actor,
): Promise<{ index: ScreeningIndex; versions: StoredListVersion[] }> {
  const current = (await listScreeningVersions(store, actor)).filter((v) => v.current);
  const key = current.map((v) => v.storedId).join('|');
  if (cachedIndex?.key === key) return { index: cachedIndex.index, versions: current };
  // Read the entities only when the versions in force changed.
  const { versions, entities } = await currentScreeningEntities(store, actor);
  const built = {
    key: versions.map((v) => v.storedId).join('|'),
    index: ScreeningIndex.build(entities),
  };
  cachedIndex = built;
  return { index: built.index, versions };
}

function validate(input: MonitoredPartyInput): void {
  const bad = (field: string, message: string): never => {
    throw new StoreError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
  };
  checkQueryName(input.name);
  if (input.schema !== undefined && !(SCHEMAS as readonly string[]).includes(input.schema))
    bad('schema', `must be one of ${SCHEMAS.join(', ')}`);
  if (input.birthDate !== undefined && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(input.birthDate))
    bad('birthDate', 'must be YYYY, YYYY-MM or YYYY-MM-DD');
  if (input.nationality !== undefined && !countryCode(input.nationality))
    bad('nationality', `${JSON.stringify(input.nationality)} is not a known country`);
  if ((input.identifiers?.length ?? 0) > 20) bad('identifiers', 'at most 20');
  for (const i of input.identifiers ?? [])
    if (!i.value.trim()) bad('identifiers', 'an identifier needs a value');
  if ((input.note?.length ?? 0) > 2000) bad('note', 'at most 2000 characters');
  if (input.threshold !== undefined && input.threshold !== null) checkThreshold(input.threshold);
}

function checkThreshold(threshold: number): void {
  if (!Number.isFinite(threshold) || threshold < MIN_MONITOR_THRESHOLD || threshold > 1) {
    throw new StoreError(
      'INVALID_ARGUMENT',
      `threshold: must be a number from ${MIN_MONITOR_THRESHOLD} to 1`,
      { details: { field: 'threshold' } },
    );
  }
}

/** The organisation's default alert threshold (MONITOR_THRESHOLD when none is set). */
async function organisationThreshold(db: Kysely<unknown>, organisationId: string): Promise<number> {
  const r = await sql<{ threshold: unknown }>`
    SELECT threshold FROM screening_monitor_settings
    WHERE organisation_id = ${organisationId}`.execute(db);
  const t = r.rows[0]?.threshold;
  return t == null ? MONITOR_THRESHOLD : Number(t);
}

function queryOf(p: MonitoredParty | MonitoredPartyInput): ScreeningQuery {
  return {
    name: p.name,
    ...(p.schema ? { schema: p.schema } : {}),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.nationality ? { nationality: p.nationality } : {}),
    ...(p.identifiers && p.identifiers.length > 0 ? { identifiers: p.identifiers } : {}),
  };
}

/**
 * Insert the hits not yet known for a party (ON CONFLICT: an entity the party hit before is
 * never reported again). Returns how many rows were new.
 */
async function insertHits(
  db: Kysely<unknown>,
  party: { id: string; organisationId: string },
  hits: readonly PooledHit[],
  versionOf: ReadonlyMap<string, string>,
  trigger: PartyHit['trigger'],
): Promise<number> {
  if (hits.length === 0) return 0;
  const r = await sql`
    INSERT INTO screening_party_hits (party_id, entity_id, organisation_id, list_version, trigger,
      score, entity_name, matched_name, explanation)
    VALUES ${sql.join(
      hits.map(
        (h) =>
          sql`(${party.id}, ${h.entityId}, ${party.organisationId},
            ${versionOf.get(h.list) ?? h.list}, ${trigger}, ${h.score},
            ${h.name}, ${h.matchedName}, ${JSON.stringify(h.explanation ?? {})})`,
      ),
    )}
    ON CONFLICT (party_id, entity_id) DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

const versionMap = (versions: readonly StoredListVersion[]): Map<string, string> =>
  new Map(versions.map((v) => [v.source, v.storedId]));

interface PartyQuery {
  readonly query: ScreeningQuery;
  readonly threshold: number;
}

/** Screen on one pool generation, one pool request per distinct threshold; hits in input order. */
async function searchOn(
  pool: ScreeningWorkerPool,
  generation: ScreeningGeneration,
  items: readonly PartyQuery[],
): Promise<PooledHit[][]> {
  const out: PooledHit[][] = items.map(() => []);
  const byThreshold = new Map<number, number[]>();
  items.forEach((item, i) =>
    byThreshold.set(item.threshold, [...(byThreshold.get(item.threshold) ?? []), i]),
  );
  for (const [threshold, at] of byThreshold) {
    const { hits } = await pool.search(
      at.map((i) => items[i]!.query),
      { threshold, limit: HITS_PER_PARTY },
      { explain: true },
      generation,
    );
    at.forEach((i, k) => (out[i] = hits[k] ?? []));
  }
  return out;
}

/**
 * Screen monitored parties against the versions in force as `store` sees them (a transaction:
 * an import's own new version included). With the server's worker pool running the matching
 * runs there, not on the thread that answers HTTP: on the generation in force when its versions
 * are the ones seen here, else on a generation built for this call only (never shown to match
 * requests, since the transaction may still roll back). Without a pool: the in-process index.
 */
async function screenParties(
  store: Store,
  actor: Actor,
  items: readonly PartyQuery[],
): Promise<{ hits: PooledHit[][]; versionOf: Map<string, string> }> {
  const pool = screeningPoolOf(store);
  if (pool) {
    const versions = (await listScreeningVersions(store, actor)).filter((v) => v.current);
    const key = await currentScreeningVersionKey(store, actor);
    const versionOf = versionMap(versions);
    const current = pool.generation;
    if (current?.key === key) {
      try {
        return { hits: await searchOn(pool, current, items), versionOf };
      } catch (error) {
        // Retired meanwhile (a newer version came into force): build this call's own below.
        if (!(error instanceof StoreError) || error.code !== 'STORE_UNAVAILABLE') throw error;
      }
    }
    const source = await screeningIndexSource(store, actor);
    const hits = await pool.withGeneration(source, (g) => searchOn(pool, g, items));
    return { hits, versionOf: versionMap(versions) };
  }
  const { index, versions } = await currentScreeningIndex(store, actor);
  return {
    hits: items.map(({ query, threshold }) =>
      index.search(query, { threshold, limit: HITS_PER_PARTY }).map((h) => compactHit(h, true)),
    ),
    versionOf: versionMap(versions),
  };
}

function toHit(r: Record<string, unknown>): PartyHit {
  return {
    partyId: String(r.party_id),
    entityId: String(r.entity_id),
    entityName: String(r.entity_name),
    matchedName: String(r.matched_name),
    score: Number(r.score),
    listVersion: String(r.list_version),
    trigger: r.trigger === 'list-update' ? 'list-update' : 'added',
    explanation: json(r.explanation),
    createdAt: iso(r.created_at),
    acknowledgement:
      r.acknowledged_at == null
        ? null
        : {
            at: iso(r.acknowledged_at),
            by: typeof r.acknowledged_by === 'string' ? r.acknowledged_by : null,
            byName: typeof r.acknowledged_by_name === 'string' ? r.acknowledged_by_name : null,
            note: typeof r.acknowledgement_note === 'string' ? r.acknowledgement_note : '',
          },
  };
}

/** Parties of the actor's organisation with their hits, newest first (never another's). */
export async function listMonitoredParties(
  store: Store,
  actor: Actor,
  filter: { id?: string } = {},
): Promise<MonitoredParty[]> {
  assertRole(actor, ...SCREENING_MONITOR_READER_ROLES);
  const db = raw(store);
  const orgDefault = await organisationThreshold(db, actor.organisationId);
  const parties = await sql<Record<string, unknown>>`
    SELECT * FROM screening_monitored_parties
    WHERE organisation_id = ${actor.organisationId}
      AND (${filter.id ?? null}::text IS NULL OR id = ${filter.id ?? null})
    ORDER BY created_at DESC, id LIMIT 1000`.execute(db);
  const hits = await sql<Record<string, unknown>>`
    SELECT * FROM screening_party_hits
    WHERE organisation_id = ${actor.organisationId}
      AND (${filter.id ?? null}::text IS NULL OR party_id = ${filter.id ?? null})
    ORDER BY score DESC, entity_id`.execute(db);
  const byParty = new Map<string, PartyHit[]>();
  for (const r of hits.rows) {
    const h = toHit(r);
    byParty.set(h.partyId, [...(byParty.get(h.partyId) ?? []), h]);
  }
  return parties.rows.map((r) => ({
    id: String(r.id),
    organisationId: String(r.organisation_id),
    name: String(r.name),
    schema: typeof r.schema === 'string' ? (r.schema as Schema) : null,
    birthDate: typeof r.birth_date === 'string' ? r.birth_date : null,
    nationality: typeof r.nationality === 'string' ? r.nationality : null,
    identifiers: json(r.identifiers),
    note: String(r.note),
    createdBy: typeof r.created_by === 'string' ? r.created_by : null,
    createdAt: iso(r.created_at),
    threshold: r.threshold == null ? null : Number(r.threshold),
    effectiveThreshold: r.threshold == null ? orgDefault : Number(r.threshold),
    hits: byParty.get(String(r.id)) ?? [],
  }));
}

/**
 * Put a party under watch for the actor's organisation. It is screened at once against the
 * versions in force; those hits are its baseline (`added`), so later alerts are only new ones.
 */
export async function addMonitoredParty(
  store: Store,
  actor: Actor,
  input: MonitoredPartyInput,
): Promise<MonitoredParty> {
  assertRole(actor, ...SCREENING_MONITOR_ROLES);
  validate(input);
  const id = crypto.randomUUID();
  return store.transaction(async (tx) => {
    const db = raw(tx);
    await sql`
      INSERT INTO screening_monitored_parties (id, organisation_id, name, schema, birth_date,
        nationality, identifiers, note, created_by, threshold)
      VALUES (${id}, ${actor.organisationId}, ${input.name}, ${input.schema ?? null},
        ${input.birthDate ?? null}, ${input.nationality ?? null},
        ${JSON.stringify(input.identifiers ?? [])}, ${input.note ?? ''}, ${actor.userId},
        ${input.threshold ?? null})`.execute(db);
    const threshold = input.threshold ?? (await organisationThreshold(db, actor.organisationId));
    const screened = await screenParties(tx, actor, [{ query: queryOf(input), threshold }]);
    const hits = screened.hits[0]!;
    await insertHits(
      db,
      { id, organisationId: actor.organisationId },
      hits,
      screened.versionOf,
      'added',
    );
    await recordAudit(tx.db, {
      action: 'screening.party.added',
      actor,
      targetType: 'screening-party',
      targetId: id,
      details: { name: input.name, hits: hits.length },
    });
    const [party] = await listMonitoredParties(tx, actor, { id });
    return party!;
  });
}

/** Stop watching a party of the actor's organisation (NOT_FOUND for anyone else's). */
export async function removeMonitoredParty(store: Store, actor: Actor, id: string): Promise<void> {
  assertRole(actor, ...SCREENING_MONITOR_ROLES);
  await store.transaction(async (tx) => {
    const r = await sql`
      DELETE FROM screening_monitored_parties
      WHERE id = ${id} AND organisation_id = ${actor.organisationId}`.execute(raw(tx));
    if (Number(r.numAffectedRows ?? 0) === 0)
      throw new StoreError('NOT_FOUND', `no monitored party ${id}`);
    await recordAudit(tx.db, {
      action: 'screening.party.removed',
      actor,
      targetType: 'screening-party',
      targetId: id,
    });
  });
}

/**
 * New hits found by re-screening after list updates, for the actor's organisation, newest first:
 * `open` (default) the queue still to be acknowledged, `acknowledged` the history, or `all`.
 */
export async function listScreeningAlerts(
  store: Store,
  actor: Actor,
  options: { limit?: number; status?: AlertStatus } = {},
): Promise<ScreeningAlert[]> {
  assertRole(actor, ...SCREENING_MONITOR_READER_ROLES);
  const limit = Math.min(Math.max(options.limit ?? 200, 1), 1000);
  const status = options.status ?? 'open';
  const rows = await sql<Record<string, unknown>>`
    SELECT h.*, p.name AS party_name, u.name AS acknowledged_by_name
    FROM screening_party_hits h
    JOIN screening_monitored_parties p ON p.id = h.party_id
    LEFT JOIN users u ON u.id::text = h.acknowledged_by
    WHERE h.organisation_id = ${actor.organisationId} AND h.trigger = 'list-update'
      AND (${status} = 'all'
        OR (${status} = 'open' AND h.acknowledged_at IS NULL)
        OR (${status} = 'acknowledged' AND h.acknowledged_at IS NOT NULL))
    ORDER BY h.created_at DESC, h.party_id, h.entity_id LIMIT ${limit}`.execute(raw(store));
  return rows.rows.map((r) => ({ ...toHit(r), partyName: String(r.party_name) }));
}

/**
 * Acknowledge an alert of the actor's organisation with a note (who and when are recorded, with
 * an audit event). NOT_FOUND for another organisation's alert, CONFLICT when already done.
 */
export async function acknowledgeScreeningAlert(
  store: Store,
  actor: Actor,
  alert: { partyId: string; entityId: string },
  note: string,
): Promise<ScreeningAlert> {
  assertRole(actor, ...SCREENING_MONITOR_ROLES);
  const text = note.trim();
  if (!text || text.length > 2000) {
    throw new StoreError('INVALID_ARGUMENT', 'note: say why (1 to 2000 characters)', {
      details: { field: 'note' },
    });
  }
  return store.transaction(async (tx) => {
    const db = raw(tx);
    const found = await sql<{ acknowledged_at: unknown }>`
      SELECT acknowledged_at FROM screening_party_hits
      WHERE party_id = ${alert.partyId} AND entity_id = ${alert.entityId}
        AND organisation_id = ${actor.organisationId} AND trigger = 'list-update'
      FOR UPDATE`.execute(db);
    const row = found.rows[0];
    if (!row) {
      throw new StoreError('NOT_FOUND', `no alert for party ${alert.partyId} on ${alert.entityId}`);
    }
    if (row.acknowledged_at != null) {
      throw new StoreError('CONFLICT', 'this alert has already been acknowledged');
    }
    await sql`
      UPDATE screening_party_hits SET acknowledged_at = now(), acknowledged_by = ${actor.userId},
        acknowledgement_note = ${text}
      WHERE party_id = ${alert.partyId} AND entity_id = ${alert.entityId}`.execute(db);
    await recordAudit(tx.db, {
      action: 'screening.alert.acknowledged',
      actor,
      targetType: 'screening-alert',
      targetId: `${alert.partyId}/${alert.entityId}`,
      details: { note: text },
    });
    const rows = await sql<Record<string, unknown>>`
      SELECT h.*, p.name AS party_name, u.name AS acknowledged_by_name
      FROM screening_party_hits h
      JOIN screening_monitored_parties p ON p.id = h.party_id
      LEFT JOIN users u ON u.id::text = h.acknowledged_by
      WHERE h.party_id = ${alert.partyId} AND h.entity_id = ${alert.entityId}`.execute(db);
    const r = rows.rows[0]!;
    return { ...toHit(r), partyName: String(r.party_name) };
  });
}

/** The organisation's default alert threshold. */
export async function getScreeningMonitorSettings(
  store: Store,
  actor: Actor,
): Promise<ScreeningMonitorSettings> {
  assertRole(actor, ...SCREENING_MONITOR_READER_ROLES);
  const r = await sql<Record<string, unknown>>`
    SELECT threshold, updated_by, updated_at FROM screening_monitor_settings
    WHERE organisation_id = ${actor.organisationId}`.execute(raw(store));
  const row = r.rows[0];
  if (!row)
    return { threshold: MONITOR_THRESHOLD, custom: false, updatedBy: null, updatedAt: null };
  return {
    threshold: Number(row.threshold),
    custom: true,
    updatedBy: typeof row.updated_by === 'string' ? row.updated_by : null,
    updatedAt: iso(row.updated_at),
  };
}

/**
 * Set the organisation's default alert threshold (admins). It applies from the next screening of
 * each party that has no threshold of its own: when added, and after every list update.
 */
export async function setScreeningMonitorThreshold(
  store: Store,
  actor: Actor,
  threshold: number,
): Promise<ScreeningMonitorSettings> {
  assertRole(actor, ...SCREENING_MONITOR_SETTINGS_ROLES);
  checkThreshold(threshold);
  await store.transaction(async (tx) => {
    await sql`
      INSERT INTO screening_monitor_settings (organisation_id, threshold, updated_by)
      VALUES (${actor.organisationId}, ${threshold}, ${actor.userId})
      ON CONFLICT (organisation_id) DO UPDATE SET threshold = excluded.threshold,
        updated_by = excluded.updated_by, updated_at = now()`.execute(raw(tx));
    await recordAudit(tx.db, {
      action: 'screening.monitor.threshold',
      actor,
      targetType: 'organisation',
      targetId: actor.organisationId,
      details: { threshold },
    });
  });
  return getScreeningMonitorSettings(store, actor);
}

/**
 * Set (or, with null, clear) a party's own alert threshold. The party is screened again at once
 * at its new threshold; hits found now are part of its baseline (`added`), not alerts, because no
 * list changed. Hits found before stay on record.
 */
export async function setMonitoredPartyThreshold(
  store: Store,
  actor: Actor,
  partyId: string,
  threshold: number | null,
): Promise<MonitoredParty> {
  assertRole(actor, ...SCREENING_MONITOR_ROLES);
  if (threshold !== null) checkThreshold(threshold);
  return store.transaction(async (tx) => {
    const db = raw(tx);
    const r = await sql`
      UPDATE screening_monitored_parties SET threshold = ${threshold}
      WHERE id = ${partyId} AND organisation_id = ${actor.organisationId}`.execute(db);
    if (Number(r.numAffectedRows ?? 0) === 0)
      throw new StoreError('NOT_FOUND', `no monitored party ${partyId}`);
    const [party] = await listMonitoredParties(tx, actor, { id: partyId });
    const screened = await screenParties(tx, actor, [
      { query: queryOf(party!), threshold: party!.effectiveThreshold },
    ]);
    const added = await insertHits(
      db,
      { id: partyId, organisationId: actor.organisationId },
      screened.hits[0]!,
      screened.versionOf,
      'added',
    );
    await recordAudit(tx.db, {
      action: 'screening.party.threshold',
      actor,
      targetType: 'screening-party',
      targetId: partyId,
      details: { threshold, newHits: added },
    });
    const [updated] = await listMonitoredParties(tx, actor, { id: partyId });
    return updated!;
  });
}

/**
 * Re-screen every organisation's monitored parties against the versions in force and record the
 * hits on entities a party never hit before as alerts. Called by the list ingest kinds inside
 * their transaction, after the new version is marked current, so the alerts commit with it (and
 * vanish with it if the import fails). A system operation: it spans organisations by design.
 */
export async function rescreenMonitoredParties(
  store: Store,
  actor: Actor,
): Promise<{ parties: number; newHits: number }> {
  const db = raw(store);
  const parties = await sql<Record<string, unknown>>`
    SELECT p.id, p.organisation_id, p.name, p.schema, p.birth_date, p.nationality, p.identifiers,
      coalesce(p.threshold, s.threshold, ${MONITOR_THRESHOLD}) AS effective_threshold
    FROM screening_monitored_parties p
    LEFT JOIN screening_monitor_settings s ON s.organisation_id = p.organisation_id
    ORDER BY p.id`.execute(db);
  if (parties.rows.length === 0) return { parties: 0, newHits: 0 };
  const items = parties.rows.map((r) => ({
    query: queryOf({
      name: String(r.name),
      ...(typeof r.schema === 'string' ? { schema: r.schema as Schema } : {}),
      ...(typeof r.birth_date === 'string' ? { birthDate: r.birth_date } : {}),
      ...(typeof r.nationality === 'string' ? { nationality: r.nationality } : {}),
      identifiers: json<{ type?: string; value: string }[]>(r.identifiers),
    }),
    threshold: Number(r.effective_threshold),
  }));
  const { hits, versionOf } = await screenParties(store, actor, items);
  let newHits = 0;
  for (const [i, r] of parties.rows.entries()) {
    newHits += await insertHits(
      db,
      { id: String(r.id), organisationId: String(r.organisation_id) },
      hits[i]!,
      versionOf,
      'list-update',
    );
  }
  return { parties: parties.rows.length, newHits };
}
