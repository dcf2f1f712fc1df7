import type { MatchExplanation, Schema } from '@interdict/screening';
import { sql, type Selectable } from 'kysely';
import type { Actor } from '../actor';
import { StoreError } from '../errors';
import type { Store } from '../store';
import type { ScreeningTables } from './tables';

// Monitored parties (issue 5 §2) as stored: each organisation's parties, every listed entity each
// has hit, and alert thresholds. Every query is scoped to the actor's organisation, except the
// read of all parties that a list update re-screens (`partiesToRescreen`), which spans
// organisations by design. Screening the parties, and who may do what, is the screening
// service's (packages/services/src/screening/monitoring.ts).

/** Score at which a monitored party counts as hitting a listed entity, unless set otherwise. */
export const MONITOR_THRESHOLD = 0.7;
/**
 * Lowest alert threshold an organisation or party may set (the tables' CHECK constraints hold it
 * too). Below it nearly every common name scores a hit on some listed name, and the queue would
 * be noise.
 */
export const MIN_MONITOR_THRESHOLD = 0.5;

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
  /** Why it scored what it did, as the matcher explained it when the hit was found. */
  readonly explanation: MatchExplanation;
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

/** A listed entity a party's screening found (the fields a hit row keeps). */
export interface FoundPartyHit {
  readonly entityId: string;
  readonly score: number;
  /** The entity's primary name. */
  readonly name: string;
  /** The listed name (primary or alias) that matched. */
  readonly matchedName: string;
  /** The list it is on (`ofac`, `un`): its version in force is recorded with the hit. */
  readonly list: string;
  readonly explanation?: MatchExplanation;
}

/** A party as a list update re-screens it: who owns it, what to screen, at which threshold. */
export interface PartyToRescreen {
  readonly id: string;
  readonly organisationId: string;
  readonly name: string;
  readonly schema: Schema | null;
  readonly birthDate: string | null;
  readonly nationality: string | null;
  readonly identifiers: readonly { readonly type?: string; readonly value: string }[];
  readonly effectiveThreshold: number;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : String(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** The organisation's default alert threshold (MONITOR_THRESHOLD when none is set). */
export async function organisationMonitorThreshold(
  store: Store,
  organisationId: string,
): Promise<number> {
  const row = await store.db
    .selectFrom('screening_monitor_settings')
    .select('threshold')
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row ? Number(row.threshold) : MONITOR_THRESHOLD;
}

/** Store a party under watch for the actor's organisation; its id. */
export async function insertMonitoredParty(
  store: Store,
  actor: Actor,
  input: MonitoredPartyInput,
): Promise<string> {
  const id = crypto.randomUUID();
  await store.db
    .insertInto('screening_monitored_parties')
    .values({
      id,
      organisation_id: actor.organisationId,
      name: input.name,
      schema: input.schema ?? null,
      birth_date: input.birthDate ?? null,
      nationality: input.nationality ?? null,
      identifiers: JSON.stringify(input.identifiers ?? []),
      note: input.note ?? '',
      created_by: actor.userId,
      threshold: input.threshold ?? null,
    })
    .execute();
  return id;
}

/**
 * Store the hits not yet known for a party (ON CONFLICT: an entity the party hit before is never
 * reported again). `versionOf` maps a hit's list to the stored id of its version in force.
 * Returns how many rows were new.
 */
export async function insertPartyHits(
  store: Store,
  party: { readonly id: string; readonly organisationId: string },
  hits: readonly FoundPartyHit[],
  versionOf: ReadonlyMap<string, string>,
  trigger: PartyHit['trigger'],
): Promise<number> {
  if (hits.length === 0) return 0;
  const r = await store.db
    .insertInto('screening_party_hits')
    .values(
      hits.map((h) => ({
        party_id: party.id,
        entity_id: h.entityId,
        organisation_id: party.organisationId,
        list_version: versionOf.get(h.list) ?? h.list,
        trigger,
        score: h.score,
        entity_name: h.name,
        matched_name: h.matchedName,
        explanation: JSON.stringify(h.explanation ?? {}),
      })),
    )
    .onConflict((oc) => oc.columns(['party_id', 'entity_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

type HitRow = Selectable<ScreeningTables['screening_party_hits']> & {
  acknowledged_by_name: string | null;
};

function toHit(r: HitRow): PartyHit {
  return {
    partyId: r.party_id,
    entityId: r.entity_id,
    entityName: r.entity_name,
    matchedName: r.matched_name,
    score: Number(r.score),
    listVersion: r.list_version,
    trigger: r.trigger === 'list-update' ? 'list-update' : 'added',
    explanation: json<MatchExplanation>(r.explanation),
    createdAt: iso(r.created_at),
    acknowledgement:
      r.acknowledged_at === null
        ? null
        : {
            at: iso(r.acknowledged_at),
            by: r.acknowledged_by,
            byName: r.acknowledged_by_name,
            note: r.acknowledgement_note ?? '',
          },
  };
}

/** The hits of the actor's organisation, with who acknowledged each (users' names). */
function hitsQuery(store: Store, actor: Actor) {
  return store.db
    .selectFrom('screening_party_hits as h')
    .leftJoin('users as u', (join) => join.on(sql`u.id::text`, '=', sql.ref('h.acknowledged_by')))
    .selectAll('h')
    .select('u.name as acknowledged_by_name')
    .where('h.organisation_id', '=', actor.organisationId);
}

/** Parties of the actor's organisation with their hits, newest first (never another's). */
export async function listMonitoredParties(
  store: Store,
  actor: Actor,
  filter: { id?: string } = {},
): Promise<MonitoredParty[]> {
  const orgDefault = await organisationMonitorThreshold(store, actor.organisationId);
  let parties = store.db
    .selectFrom('screening_monitored_parties')
    .selectAll()
    .where('organisation_id', '=', actor.organisationId);
  if (filter.id !== undefined) parties = parties.where('id', '=', filter.id);
  let hits = hitsQuery(store, actor);
  if (filter.id !== undefined) hits = hits.where('h.party_id', '=', filter.id);
  const partyRows = await parties.orderBy('created_at', 'desc').orderBy('id').limit(1000).execute();
  const hitRows = await hits.orderBy('h.score', 'desc').orderBy('h.entity_id').execute();
  const byParty = new Map<string, PartyHit[]>();
  for (const r of hitRows) {
    const h = toHit(r);
    byParty.set(h.partyId, [...(byParty.get(h.partyId) ?? []), h]);
  }
  return partyRows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    schema: r.schema as Schema | null,
    birthDate: r.birth_date,
    nationality: r.nationality,
    identifiers: json<{ type?: string; value: string }[]>(r.identifiers),
    note: r.note,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    threshold: r.threshold === null ? null : Number(r.threshold),
    effectiveThreshold: r.threshold === null ? orgDefault : Number(r.threshold),
    hits: byParty.get(r.id) ?? [],
  }));
}

/** Remove a party of the actor's organisation (its hits go with it); NOT_FOUND for anyone else's. */
export async function deleteMonitoredParty(store: Store, actor: Actor, id: string): Promise<void> {
  const r = await store.db
    .deleteFrom('screening_monitored_parties')
    .where('id', '=', id)
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new StoreError('NOT_FOUND', `no monitored party ${id}`);
}

/** Set (or, with null, clear) the own threshold of a party of the actor's organisation. */
export async function updateMonitoredPartyThreshold(
  store: Store,
  actor: Actor,
  partyId: string,
  threshold: number | null,
): Promise<void> {
  const r = await store.db
    .updateTable('screening_monitored_parties')
    .set({ threshold })
    .where('id', '=', partyId)
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0)
    throw new StoreError('NOT_FOUND', `no monitored party ${partyId}`);
}

/**
 * Every organisation's monitored parties with the threshold each is screened at, for the
 * re-screening after a list update. A system read: it spans organisations by design.
 */
export async function partiesToRescreen(store: Store): Promise<PartyToRescreen[]> {
  const rows = await store.db
    .selectFrom('screening_monitored_parties as p')
    .leftJoin('screening_monitor_settings as s', 's.organisation_id', 'p.organisation_id')
    .select([
      'p.id',
      'p.organisation_id',
      'p.name',
      'p.schema',
      'p.birth_date',
      'p.nationality',
      'p.identifiers',
    ])
    .select(
      sql<number>`coalesce(p.threshold, s.threshold, ${MONITOR_THRESHOLD})`.as(
        'effective_threshold',
      ),
    )
    .orderBy('p.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    schema: r.schema as Schema | null,
    birthDate: r.birth_date,
    nationality: r.nationality,
    identifiers: json<{ type?: string; value: string }[]>(r.identifiers),
    effectiveThreshold: Number(r.effective_threshold),
  }));
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
  const limit = Math.min(Math.max(options.limit ?? 200, 1), 1000);
  const status = options.status ?? 'open';
  let q = hitsQuery(store, actor)
    .innerJoin('screening_monitored_parties as p', 'p.id', 'h.party_id')
    .select('p.name as party_name')
    .where('h.trigger', '=', 'list-update');
  if (status === 'open') q = q.where('h.acknowledged_at', 'is', null);
  if (status === 'acknowledged') q = q.where('h.acknowledged_at', 'is not', null);
  const rows = await q
    .orderBy('h.created_at', 'desc')
    .orderBy('h.party_id')
    .orderBy('h.entity_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...toHit(r), partyName: r.party_name }));
}

/**
 * Mark an alert of the actor's organisation acknowledged by the actor, with a note. NOT_FOUND for
 * another organisation's alert (or a baseline hit, which is no alert), CONFLICT when already done.
 */
export async function acknowledgeScreeningAlert(
  store: Store,
  actor: Actor,
  alert: { partyId: string; entityId: string },
  note: string,
): Promise<ScreeningAlert> {
  const found = await store.db
    .selectFrom('screening_party_hits')
    .select('acknowledged_at')
    .where('party_id', '=', alert.partyId)
    .where('entity_id', '=', alert.entityId)
    .where('organisation_id', '=', actor.organisationId)
    .where('trigger', '=', 'list-update')
    .forUpdate()
    .executeTakeFirst();
  if (!found) {
    throw new StoreError('NOT_FOUND', `no alert for party ${alert.partyId} on ${alert.entityId}`);
  }
  if (found.acknowledged_at !== null) {
    throw new StoreError('CONFLICT', 'this alert has already been acknowledged');
  }
  await store.db
    .updateTable('screening_party_hits')
    .set({
      acknowledged_at: sql<Date>`now()`,
      acknowledged_by: actor.userId,
      acknowledgement_note: note,
    })
    .where('party_id', '=', alert.partyId)
    .where('entity_id', '=', alert.entityId)
    .execute();
  const row = await hitsQuery(store, actor)
    .innerJoin('screening_monitored_parties as p', 'p.id', 'h.party_id')
    .select('p.name as party_name')
    .where('h.party_id', '=', alert.partyId)
    .where('h.entity_id', '=', alert.entityId)
    .executeTakeFirstOrThrow();
  return { ...toHit(row), partyName: row.party_name };
}

/** The organisation's default alert threshold. */
export async function getScreeningMonitorSettings(
  store: Store,
  actor: Actor,
): Promise<ScreeningMonitorSettings> {
  const row = await store.db
    .selectFrom('screening_monitor_settings')
    .select(['threshold', 'updated_by', 'updated_at'])
    .where('organisation_id', '=', actor.organisationId)
    .executeTakeFirst();
  if (!row)
    return { threshold: MONITOR_THRESHOLD, custom: false, updatedBy: null, updatedAt: null };
  return {
    threshold: Number(row.threshold),
    custom: true,
    updatedBy: row.updated_by,
    updatedAt: iso(row.updated_at),
  };
}

/** Set the actor's organisation's default alert threshold, as set by the actor. */
export async function saveScreeningMonitorThreshold(
  store: Store,
  actor: Actor,
  threshold: number,
): Promise<void> {
  await store.db
    .insertInto('screening_monitor_settings')
    .values({ organisation_id: actor.organisationId, threshold, updated_by: actor.userId })
    .onConflict((oc) =>
      oc.column('organisation_id').doUpdateSet((eb) => ({
        threshold: eb.ref('excluded.threshold'),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}
