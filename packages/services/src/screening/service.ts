import type { Entity, ParsedList, ScreeningQuery, SearchOptions } from '@interdict/screening';
import {
  currentScreeningEntities,
  getScreeningEntity,
  listScreeningDecisions,
  listScreeningVersions,
  screeningSummary,
  type Actor,
  type ListImportServices,
  type ScreeningDecision,
  type Store,
  type StoredListVersion,
} from '@interdict/store';
import { requireRole } from '../access';
import type { LedgerService } from '../ledger/service';
import type { SummaryItem } from '../services';
import type { ServicesSettings } from '../settings';
import { decideOnHit, type ScreeningDecisionInput } from './decisions';
import { ScreeningMatcher } from './matcher';
import { Monitoring } from './monitoring';
import { actorPartyScreener, type PartyScreener } from './party-screener';
import { SCREENING_READER_ROLES } from './roles';
import { ListVersionKey } from './version-key';
import type { ScreeningWorkerPool } from './worker-pool';

/** What the composition root hands the screening service. */
export interface ScreeningDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
}

/** A listed entity in force, the stored id of its version, and the caller's decisions on it. */
export interface ListedEntityView {
  readonly entity: Entity;
  readonly version: string;
  readonly decisions: ScreeningDecision[];
}

/**
 * The screening use cases (issue 5, issue 12 §1): matching names against the list versions in
 * force, listed entities and list versions, officers' decisions on hits (committed to the
 * ledger), and monitored parties with their alerts. It owns where screening runs (the worker pool
 * and the in-process index) and what it remembers of the versions in force; `close()` stops the
 * workers.
 */
export class ScreeningService {
  private readonly keys = new ListVersionKey();
  private readonly matcher: ScreeningMatcher;
  /** Monitored parties, their alerts and thresholds. */
  readonly monitoring: Monitoring;
  /**
   * What a list import asks of this service in its job's transaction (lent to the list kinds by
   * the ingest service): re-screening the monitored parties against the version it puts in force.
   */
  readonly listImport: ListImportServices;

  constructor(private readonly deps: ScreeningDeps) {
    this.matcher = new ScreeningMatcher(deps.store, deps.settings, this.keys);
    this.monitoring = new Monitoring({ store: deps.store, matcher: this.matcher, keys: this.keys });
    this.listImport = { listVersionInstalled: (tx) => this.monitoring.listVersionInstalled(tx) };
  }

  /**
   * Screens `queries` against the list versions in force; each query's ranked, explained hits as
   * JSON text (the workers serialise them, so the thread that answers HTTP only joins strings),
   * and the ids of the list versions that produced them.
   */
  async match(
    actor: Actor,
    queries: readonly ScreeningQuery[],
    options: { threshold: number; limit: number },
  ): Promise<{ listVersions: readonly string[]; hits: string[] }> {
    requireRole(actor, ...SCREENING_READER_ROLES);
    return this.matcher.matchJson(queries, options satisfies SearchOptions);
  }

  /**
   * The key of the list versions in force (their stored ids, `|`-joined, '' when none): what a
   * match compares before using a built index. Remembered by this service (version-key.ts), so it
   * usually costs no database round trip; a result always names the versions that produced it.
   */
  async versionsInForceKey(actor: Actor): Promise<string> {
    requireRole(actor, ...SCREENING_READER_ROLES);
    return this.keys.current(this.deps.store);
  }

  /** Every list version, newest first, with what each added, changed and removed. */
  async lists(actor: Actor): Promise<StoredListVersion[]> {
    requireRole(actor, ...SCREENING_READER_ROLES);
    return listScreeningVersions(this.deps.store);
  }

  /** The lists in force with their entities (the CLI screens files against them). */
  async listsInForce(actor: Actor): Promise<ParsedList[]> {
    requireRole(actor, ...SCREENING_READER_ROLES);
    const { versions, entities } = await currentScreeningEntities(this.deps.store);
    return versions.map((version) => ({
      version,
      entities: entities.filter((e) => e.list === version.source),
      warnings: [],
    }));
  }

  /** A listed entity in force with every name, identifier and program, and the caller's decisions on it. */
  async entity(actor: Actor, entityId: string): Promise<ListedEntityView> {
    requireRole(actor, ...SCREENING_READER_ROLES);
    const { entity, version } = await getScreeningEntity(this.deps.store, entityId);
    const decisions = await listScreeningDecisions(this.deps.store, actor, { entityId });
    return { entity, version, decisions };
  }

  /** Confirms or dismisses a hit: recorded, audited and committed to the ledger in one transaction. */
  decide(actor: Actor, input: ScreeningDecisionInput): Promise<ScreeningDecision> {
    return decideOnHit(this.deps, actor, input);
  }

  /**
   * Screens declaration parties against the lists in force, as `actor` may (targeting's
   * watchlist lane raiser uses it): on the worker pool when it runs.
   */
  partyScreener(actor: Actor): PartyScreener {
    return actorPartyScreener(this.matcher, this.deps.store, actor);
  }

  /** The summary line: entities in force (public reference data: anyone signed in may count it). */
  async summary(actor: Actor): Promise<SummaryItem[]> {
    void actor;
    const s = await screeningSummary(this.deps.store);
    return [
      {
        capability: 'screening',
        label: 'Listed entities (OFAC, UN)',
        count: s.count,
        updatedAt: s.updatedAt,
      },
    ];
  }

  /** The worker pool if a screening has started it (tests look at it). */
  get workerPool(): ScreeningWorkerPool | undefined {
    return this.matcher.startedPool;
  }

  /** Stops the screening workers. */
  close(): Promise<void> {
    return this.matcher.close();
  }
}
