import { checkQueryName, countryCode, SCHEMAS, type ScreeningQuery } from '@interdict/screening';
import {
  acknowledgeScreeningAlert,
  deleteMonitoredParty,
  getScreeningMonitorSettings,
  insertMonitoredParty,
  insertPartyHits,
  listMonitoredParties,
  listScreeningAlerts,
  MIN_MONITOR_THRESHOLD,
  organisationMonitorThreshold,
  partiesToRescreen,
  recordAudit,
  saveScreeningMonitorThreshold,
  updateMonitoredPartyThreshold,
  type Actor,
  type AlertStatus,
  type MonitoredParty,
  type MonitoredPartyInput,
  type PartyToRescreen,
  type ScreeningAlert,
  type ScreeningMonitorSettings,
  type Store,
} from '@interdict/store';
import { requireRole } from '../access';
import { ServiceError } from '../errors';
import type { ScreeningMatcher } from './matcher';
import type { ListVersionKey } from './version-key';
import {
  SCREENING_MONITOR_READER_ROLES,
  SCREENING_MONITOR_ROLES,
  SCREENING_MONITOR_SETTINGS_ROLES,
} from './roles';

/** What monitoring works with: the store, where screening runs, the remembered version key. */
export interface MonitoringDeps {
  readonly store: Store;
  readonly matcher: ScreeningMatcher;
  readonly keys: ListVersionKey;
}

function invalid(field: string, message: string): never {
  throw new ServiceError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

function checkThreshold(threshold: number): void {
  if (!Number.isFinite(threshold) || threshold < MIN_MONITOR_THRESHOLD || threshold > 1) {
    invalid('threshold', `must be a number from ${MIN_MONITOR_THRESHOLD} to 1`);
  }
}

/** A party's details, checked before anything is stored (the API's schema checks them too). */
function checkParty(input: MonitoredPartyInput): void {
  checkQueryName(input.name);
  if (input.schema !== undefined && !(SCHEMAS as readonly string[]).includes(input.schema))
    invalid('schema', `must be one of ${SCHEMAS.join(', ')}`);
  if (input.birthDate !== undefined && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(input.birthDate))
    invalid('birthDate', 'must be YYYY, YYYY-MM or YYYY-MM-DD');
  if (input.nationality !== undefined && !countryCode(input.nationality))
    invalid('nationality', `${JSON.stringify(input.nationality)} is not a known country`);
  if ((input.identifiers?.length ?? 0) > 20) invalid('identifiers', 'at most 20');
  for (const i of input.identifiers ?? [])
    if (!i.value.trim()) invalid('identifiers', 'an identifier needs a value');
  if ((input.note?.length ?? 0) > 2000) invalid('note', 'at most 2000 characters');
  if (input.threshold !== undefined && input.threshold !== null) checkThreshold(input.threshold);
}

function queryOf(p: MonitoredPartyInput | MonitoredParty | PartyToRescreen): ScreeningQuery {
  return {
    name: p.name,
    ...(p.schema ? { schema: p.schema } : {}),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.nationality ? { nationality: p.nationality } : {}),
    ...(p.identifiers && p.identifiers.length > 0 ? { identifiers: p.identifiers } : {}),
  };
}

/**
 * Monitoring (issue 5 §2): parties an organisation keeps under watch are screened when added and
 * again after every list update; a hit on an entity the party never hit before is an alert that
 * an officer acknowledges with a note. Everything is scoped to the actor's organisation; the
 * re-screening after a list update spans organisations by design (a system operation of the
 * import).
 */
export class Monitoring {
  constructor(private readonly deps: MonitoringDeps) {}

  /** Parties of the actor's organisation with their hits, newest first (never another's). */
  async parties(actor: Actor): Promise<MonitoredParty[]> {
    requireRole(actor, ...SCREENING_MONITOR_READER_ROLES);
    return listMonitoredParties(this.deps.store, actor);
  }

  /**
   * Put a party under watch for the actor's organisation. It is screened at once against the
   * versions in force; those hits are its baseline (`added`), so later alerts are only new ones.
   */
  async add(actor: Actor, input: MonitoredPartyInput): Promise<MonitoredParty> {
    requireRole(actor, ...SCREENING_MONITOR_ROLES);
    checkParty(input);
    return this.deps.store.transaction(async (tx) => {
      const id = await insertMonitoredParty(tx, actor, input);
      const threshold =
        input.threshold ?? (await organisationMonitorThreshold(tx, actor.organisationId));
      const screened = await this.deps.matcher.screenParties(tx, [
        { query: queryOf(input), threshold },
      ]);
      const hits = screened.hits[0] ?? [];
      await insertPartyHits(
        tx,
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
      return this.one(tx, actor, id);
    });
  }

  /** Stop watching a party of the actor's organisation (NOT_FOUND for anyone else's). */
  async remove(actor: Actor, id: string): Promise<void> {
    requireRole(actor, ...SCREENING_MONITOR_ROLES);
    await this.deps.store.transaction(async (tx) => {
      await deleteMonitoredParty(tx, actor, id);
      await recordAudit(tx.db, {
        action: 'screening.party.removed',
        actor,
        targetType: 'screening-party',
        targetId: id,
      });
    });
  }

  /** Alerts of the actor's organisation: `open` (default), `acknowledged` or `all`. */
  async alerts(
    actor: Actor,
    options: { limit?: number; status?: AlertStatus } = {},
  ): Promise<ScreeningAlert[]> {
    requireRole(actor, ...SCREENING_MONITOR_READER_ROLES);
    return listScreeningAlerts(this.deps.store, actor, options);
  }

  /**
   * Acknowledge an alert of the actor's organisation with a note (who and when are recorded, with
   * an audit event). NOT_FOUND for another organisation's alert, CONFLICT when already done.
   */
  async acknowledge(
    actor: Actor,
    alert: { partyId: string; entityId: string },
    note: string,
  ): Promise<ScreeningAlert> {
    requireRole(actor, ...SCREENING_MONITOR_ROLES);
    const text = note.trim();
    if (!text || text.length > 2000) invalid('note', 'say why (1 to 2000 characters)');
    return this.deps.store.transaction(async (tx) => {
      const done = await acknowledgeScreeningAlert(tx, actor, alert, text);
      await recordAudit(tx.db, {
        action: 'screening.alert.acknowledged',
        actor,
        targetType: 'screening-alert',
        targetId: `${alert.partyId}/${alert.entityId}`,
        details: { note: text },
      });
      return done;
    });
  }

  /** The organisation's default alert threshold. */
  async settings(actor: Actor): Promise<ScreeningMonitorSettings> {
    requireRole(actor, ...SCREENING_MONITOR_READER_ROLES);
    return getScreeningMonitorSettings(this.deps.store, actor);
  }

  /**
   * Set the organisation's default alert threshold (admins). It applies from the next screening
   * of each party that has no threshold of its own: when added, and after every list update.
   */
  async setDefaultThreshold(actor: Actor, threshold: number): Promise<ScreeningMonitorSettings> {
    requireRole(actor, ...SCREENING_MONITOR_SETTINGS_ROLES);
    checkThreshold(threshold);
    await this.deps.store.transaction(async (tx) => {
      await saveScreeningMonitorThreshold(tx, actor, threshold);
      await recordAudit(tx.db, {
        action: 'screening.monitor.threshold',
        actor,
        targetType: 'organisation',
        targetId: actor.organisationId,
        details: { threshold },
      });
    });
    return getScreeningMonitorSettings(this.deps.store, actor);
  }

  /**
   * Set (or, with null, clear) a party's own alert threshold. The party is screened again at once
   * at its new threshold; hits found now are part of its baseline (`added`), not alerts, because
   * no list changed. Hits found before stay on record.
   */
  async setPartyThreshold(
    actor: Actor,
    partyId: string,
    threshold: number | null,
  ): Promise<MonitoredParty> {
    requireRole(actor, ...SCREENING_MONITOR_ROLES);
    if (threshold !== null) checkThreshold(threshold);
    return this.deps.store.transaction(async (tx) => {
      await updateMonitoredPartyThreshold(tx, actor, partyId, threshold);
      const party = await this.one(tx, actor, partyId);
      const screened = await this.deps.matcher.screenParties(tx, [
        { query: queryOf(party), threshold: party.effectiveThreshold },
      ]);
      const added = await insertPartyHits(
        tx,
        { id: partyId, organisationId: actor.organisationId },
        screened.hits[0] ?? [],
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
      return this.one(tx, actor, partyId);
    });
  }

  /**
   * After a list version was put in force in `tx` (the import's transaction, not committed yet):
   * forget the remembered versions in force, re-screen every organisation's monitored parties
   * against the versions `tx` sees, and record the hits on entities a party never hit before as
   * alerts, so the alerts commit with the version (and vanish with it if the import fails).
   */
  async listVersionInstalled(tx: Store): Promise<{ parties: number; newHits: number }> {
    this.deps.keys.forget();
    const parties = await partiesToRescreen(tx);
    if (parties.length === 0) return { parties: 0, newHits: 0 };
    const { hits, versionOf } = await this.deps.matcher.screenParties(
      tx,
      parties.map((p) => ({ query: queryOf(p), threshold: p.effectiveThreshold })),
    );
    let newHits = 0;
    for (const [i, p] of parties.entries()) {
      newHits += await insertPartyHits(tx, p, hits[i] ?? [], versionOf, 'list-update');
    }
    return { parties: parties.length, newHits };
  }

  private async one(tx: Store, actor: Actor, id: string): Promise<MonitoredParty> {
    const [party] = await listMonitoredParties(tx, actor, { id });
    if (!party) throw new ServiceError('NOT_FOUND', `no monitored party ${id}`);
    return party;
  }
}
