import {
  recordAudit,
  targetingRepository,
  type Actor,
  type InspectionResult,
  type Store,
  type StoredModel,
  type StoredRule,
  type TargetingDay,
} from '@interdict/store';
import { TargetingError, parseRules, type TargetingRule } from '@interdict/targeting';
import { requireRole } from '../access';
import { ServiceError } from '../errors';
import type { LedgerService } from '../ledger/service';
import type { ScreeningService } from '../screening/service';
import type { SummaryItem } from '../services';
import type { ServicesSettings } from '../settings';
import { scoreDay, type DayScoring, type DayScoringInput } from './day-scoring';
import { ModelEvaluations, type ModelEvaluation } from './evaluation';
import { TargetingModelCache } from './model-cache';
import { TargetingModels } from './models';
import {
  checkQueueQuery,
  currentSelection,
  dayQueue,
  unlabelled,
  withoutLabels,
  type DeclarationDetail,
  type DeclarationRelease,
  type QueueItem,
  type QueueQuery,
} from './queue';
import { inspectionRecord, releaseRecord, ruleRecord } from './records';
import {
  TARGETING_INSPECTOR_ROLES,
  TARGETING_MANAGER_ROLES,
  TARGETING_READER_ROLES,
  TARGETING_RELEASER_ROLES,
} from './roles';
import { ModelTraining, type TrainModelInput, type TrainingStatus } from './training';
import { TargetingWorkers } from './workers';

/** What the composition root hands the targeting service. */
export interface TargetingDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly settings: ServicesSettings;
  /** Party screening for the watchlist lane raiser. */
  readonly screening: ScreeningService;
}

/** An inspection result as an officer records it. */
export interface InspectionInput {
  readonly fraud: 0 | 1;
  readonly critical: 0 | 1 | 2;
  readonly note?: string;
}

/** A declaration after its release: green, not to be inspected, with who released it and why. */
export interface ReleasedDeclaration {
  readonly id: string;
  readonly date: string;
  readonly lane: 'green';
  readonly inspect: false;
  readonly release: DeclarationRelease;
}

/** Longest release reason kept (the API refuses longer ones first). */
const MAX_RELEASE_REASON = 500;

/**
 * The targeting use cases (issue 6, issue 12 §1): the day's queue with lanes and reasons, a
 * declaration with the exact explanation of its score, inspection results and releases, models
 * and officers' rules. Roles are checked here before any work; the store scopes every query to
 * the actor's organisation. Every decision of consequence (rules, models, a day's selection,
 * inspection results, releases) is committed to the ledger in the transaction of the change
 * (records.ts). The service owns the scoring and training threads and the caches of parsed models
 * and evaluations; `close()` stops the threads.
 */
export class TargetingService {
  private readonly workers: TargetingWorkers;
  private readonly cache = new TargetingModelCache();
  private readonly models = new TargetingModels(this.cache);
  private readonly evaluations: ModelEvaluations;
  private readonly training: ModelTraining;

  constructor(private readonly deps: TargetingDeps) {
    this.workers = new TargetingWorkers(deps.settings);
    this.evaluations = new ModelEvaluations({ models: this.models, workers: this.workers });
    this.training = new ModelTraining({
      store: deps.store,
      ledger: deps.ledger,
      workers: this.workers,
      cache: this.cache,
    });
  }

  private get repo() {
    return targetingRepository(this.deps.store);
  }

  // ---- reading ---------------------------------------------------------------------------

  /**
   * The organisation's declarations and inspection results, counted. Declarations are an
   * agency's own records (DESIGN.md: "one deployment serves one organisation", others are tenants
   * whose data stays theirs), so even their number is not shown to another organisation.
   */
  async counts(actor: Actor): Promise<{ declarations: number; inspections: number }> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    return this.repo.counts(actor);
  }

  /** The summary lines: the caller's organisation's counts; none for a role that may not read. */
  async summary(actor: Actor): Promise<SummaryItem[]> {
    if (!TARGETING_READER_ROLES.includes(actor.role)) return [];
    const counts = await this.counts(actor);
    return [
      {
        capability: 'targeting',
        label: 'Customs declarations',
        count: counts.declarations,
        updatedAt: null,
      },
      {
        capability: 'targeting',
        label: 'Inspection results',
        count: counts.inspections,
        updatedAt: null,
      },
    ];
  }

  /** Dates with declarations, newest first, with the day's counts. */
  async days(actor: Actor, limit = 60): Promise<TargetingDay[]> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    return this.repo.days(actor, limit);
  }

  /** A day's queue: declarations by lane and score (or critical probability), with the reasons. */
  async queue(actor: Actor, query: QueueQuery): Promise<QueueItem[]> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    checkQueueQuery(query);
    const stored = await this.repo.declarations(actor, { date: query.date, withParties: true });
    return dayQueue(stored, query);
  }

  /** One declaration with its inspection result, release and an exact explanation of its score. */
  async declaration(actor: Actor, id: string): Promise<DeclarationDetail> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    const { store } = this.deps;
    const stored = await this.repo.declaration(actor, id);
    if (!stored) throw new ServiceError('NOT_FOUND', `declaration ${id} not found`);
    const d = unlabelled(stored.declaration);
    // Explained by each active model when it learnt only from earlier days; else none.
    const explanation = await this.models.explain(store, actor, 'fraud', d);
    const criticalExplanation = await this.models.explain(store, actor, 'critical', d);
    const now = currentSelection(stored);
    return {
      declaration: withoutLabels(stored.declaration),
      score: stored.score,
      criticalScore: stored.criticalScore,
      lane: now.lane,
      reasons: now.reasons,
      raises: stored.selection?.raises ?? [],
      parties: stored.parties,
      inspection: stored.inspection,
      release: now.release,
      explanation,
      criticalExplanation,
    };
  }

  /** The organisation's models, newest first, with their training metadata. */
  async listModels(actor: Actor): Promise<StoredModel[]> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    return this.repo.models(actor);
  }

  /**
   * The out-of-time evaluation of one model version of the organisation (any version, active or
   * retired); NOT_FOUND for an unknown id and for another organisation's model.
   */
  async evaluateModel(actor: Actor, modelId: string): Promise<ModelEvaluation> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    return this.evaluations.evaluate(this.deps.store, actor, modelId);
  }

  /** The organisation's training in progress, or its last one when that failed. */
  trainingStatus(actor: Actor): TrainingStatus[] {
    requireRole(actor, ...TARGETING_READER_ROLES);
    return this.training.status(actor);
  }

  /** Officers' rules, oldest first. */
  async rules(actor: Actor): Promise<StoredRule[]> {
    requireRole(actor, ...TARGETING_READER_ROLES);
    return this.repo.rules(actor);
  }

  // ---- decisions -------------------------------------------------------------------------

  /** Scores a day and picks those to inspect (day-scoring.ts); committed to the ledger. */
  async scoreDay(actor: Actor, input: DayScoringInput): Promise<DayScoring> {
    requireRole(actor, ...TARGETING_INSPECTOR_ROLES);
    return scoreDay(
      {
        store: this.deps.store,
        ledger: this.deps.ledger,
        screening: this.deps.screening,
        models: this.models,
        workers: this.workers,
      },
      actor,
      input,
    );
  }

  /**
   * Trains a model on the organisation's inspected declarations and makes it active (training.ts);
   * the model, its activation and the previous model's deactivation are committed to the ledger.
   */
  async trainModel(actor: Actor, input: TrainModelInput): Promise<StoredModel> {
    requireRole(actor, ...TARGETING_MANAGER_ROLES);
    return this.training.train(actor, input);
  }

  /** Records an officer's inspection result (feedback for the next training); on the ledger. */
  async recordInspection(
    actor: Actor,
    id: string,
    result: InspectionInput,
  ): Promise<InspectionResult> {
    requireRole(actor, ...TARGETING_INSPECTOR_ROLES);
    if (result.critical > 0 !== (result.fraud === 1))
      throw new ServiceError('INVALID_ARGUMENT', 'critical must be 1 or 2 exactly when fraud is 1');
    const after = { fraud: result.fraud, critical: result.critical, note: result.note ?? '' };
    await this.deps.ledger.commit(actor, async (tx, record) => {
      const repo = targetingRepository(tx);
      const stored = await repo.declaration(actor, id);
      if (!stored) throw new ServiceError('NOT_FOUND', `declaration ${id} not found`);
      await repo.recordInspection(actor, id, after);
      await recordAudit(tx.db, {
        action: 'targeting.inspection.record',
        actor,
        targetType: 'declaration',
        targetId: id,
        details: { fraud: result.fraud, critical: result.critical },
      });
      await record(
        inspectionRecord(actor, {
          declaration: { id, date: stored.declaration.date },
          before: stored.inspection,
          after,
        }),
      );
    });
    // The next day's features learn from it: cached histories are stale.
    this.cache.bumpGeneration(actor.organisationId);
    const stored = await this.repo.declaration(actor, id);
    return stored?.inspection as InspectionResult;
  }

  /**
   * Releases a red-lane declaration of the organisation without inspecting it (officers and
   * admins), with the officer's reason: it then shows green, not to be inspected, with the
   * release. Only a scored, red-lane declaration that has no inspection result and is not yet
   * released can be; anything else is refused (CONFLICT, or NOT_FOUND for one that is not the
   * organisation's) and nothing is stored. Audited and committed to the ledger: an insider who
   * waves a flagged consignment through leaves an attributable, unalterable record.
   */
  async releaseDeclaration(
    actor: Actor,
    id: string,
    input: { reason: string },
  ): Promise<ReleasedDeclaration> {
    requireRole(actor, ...TARGETING_RELEASER_ROLES);
    const reason = input.reason.trim();
    if (reason === '' || reason.length > MAX_RELEASE_REASON)
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `a release needs a reason of 1 to ${MAX_RELEASE_REASON} characters`,
      );
    await this.deps.ledger.commit(actor, async (tx, record) => {
      const repo = targetingRepository(tx);
      const stored = await repo.declaration(actor, id);
      if (!stored) throw new ServiceError('NOT_FOUND', `declaration ${id} not found`);
      if (stored.release)
        throw new ServiceError(
          'CONFLICT',
          `declaration ${id} was already released (${stored.release.releasedAt})`,
        );
      if (stored.score === null || stored.lane !== 'red')
        throw new ServiceError(
          'CONFLICT',
          `declaration ${id} is not in the red lane (${stored.score === null ? 'its day is not scored' : `it is ${stored.lane}`}): only a red-lane declaration can be released`,
        );
      if (stored.inspection)
        throw new ServiceError(
          'CONFLICT',
          `declaration ${id} has an inspection result already: it cannot be released`,
        );
      if (!(await repo.release(actor, id, { reason, releasedBy: actor.userId })))
        throw new ServiceError('CONFLICT', `declaration ${id} changed meanwhile: try again`);
      await recordAudit(tx.db, {
        action: 'targeting.declaration.release',
        actor,
        targetType: 'declaration',
        targetId: id,
        details: {
          date: stored.declaration.date,
          selectedBy: stored.selection?.selectedBy ?? null,
        },
      });
      await record(releaseRecord(actor, { declaration: stored, reason }));
    });
    const stored = await this.repo.declaration(actor, id);
    const release = stored && currentSelection(stored).release;
    if (!stored || !release) throw new ServiceError('NOT_FOUND', `declaration ${id} not found`);
    return { id, date: stored.declaration.date, lane: 'green', inspect: false, release };
  }

  /** Adds a rule (conditions → lane, validity dates, explanation); on the ledger. */
  async createRule(actor: Actor, input: unknown): Promise<StoredRule> {
    requireRole(actor, ...TARGETING_MANAGER_ROLES);
    let rule: TargetingRule;
    try {
      [rule] = parseRules([input]) as [TargetingRule];
    } catch (error) {
      if (error instanceof TargetingError)
        throw new ServiceError('INVALID_ARGUMENT', error.message);
      throw error;
    }
    const id = crypto.randomUUID();
    const { value } = await this.deps.ledger.commit(actor, async (tx, record) => {
      const stored = await targetingRepository(tx).insertRule(actor, { ...rule, id });
      await recordAudit(tx.db, {
        action: 'targeting.rule.create',
        actor,
        targetType: 'targeting-rule',
        targetId: id,
      });
      await record(ruleRecord(actor, { before: null, after: stored }));
      return stored;
    });
    return value;
  }

  /** Removes a rule of the organisation (NOT_FOUND otherwise); on the ledger with the rule. */
  async removeRule(actor: Actor, id: string): Promise<void> {
    requireRole(actor, ...TARGETING_MANAGER_ROLES);
    await this.deps.ledger.commit(actor, async (tx, record) => {
      const removed = await targetingRepository(tx).deleteRule(actor, id);
      if (!removed) throw new ServiceError('NOT_FOUND', `rule ${id} not found`);
      await recordAudit(tx.db, {
        action: 'targeting.rule.delete',
        actor,
        targetType: 'targeting-rule',
        targetId: id,
      });
      await record(ruleRecord(actor, { before: removed, after: null }));
    });
  }

  // ---- what this instance remembers ------------------------------------------------------

  /**
   * Forgets the parsed models, advanced histories and evaluations this service remembers
   * (tests and benchmarks compare cached answers with freshly computed ones).
   */
  forgetCached(): void {
    this.cache.clear();
    this.evaluations.clear();
  }

  /** Whether the model cache holds a model (tests: an evaluation leaves it to the queue's). */
  holdsModel(organisationId: string, modelId: string): boolean {
    return this.cache.peekBase(organisationId, modelId) !== undefined;
  }

  /** The service's worker threads running now (scoring, once started; training, while one runs). */
  threads(): { scoring: number; training: number } {
    return this.workers.threads();
  }

  /** Stops the scoring and training threads (running work fails with STORE_UNAVAILABLE). */
  async close(): Promise<void> {
    await this.workers.close();
  }
}
