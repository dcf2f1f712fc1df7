import type {
  Actor,
  InspectionResult,
  Role,
  StoredDeclaration,
  StoredRule,
} from '@interdict/store';
import {
  MODEL_FORMAT,
  MODEL_VERSION,
  ruleMatches,
  type CriticalPolicy,
  type Declaration,
  type InspectionDayPlan,
  type Lane,
  type Objective,
  type TargetingModel,
  type TargetingRule,
  type WatchlistPolicy,
} from '@interdict/targeting';
import type { LedgerRecord } from '../ledger/service';

// What targeting commits to the ledger (issue 12 §6: "targeting rules created, changed or removed,
// models trained and activated, a day's selection (which declarations went to which lane, and
// why), inspection results recorded, a red-lane declaration released by an officer"). Each record
// names the change: who, what, and before/after where that applies. Record bodies are readable
// only by the organisation that made them; the public leaf is a hiding commitment.

/** Record types, one per decision. */
export const TARGETING_RECORD_TYPES = {
  ruleCreated: 'targeting.rule.created',
  ruleRemoved: 'targeting.rule.removed',
  modelTrained: 'targeting.model.trained',
  modelActivated: 'targeting.model.activated',
  modelDeactivated: 'targeting.model.deactivated',
  daySelected: 'targeting.day.selected',
  inspectionRecorded: 'targeting.inspection.recorded',
  declarationReleased: 'targeting.declaration.released',
} as const;

/**
 * What the records are about, so that a record's page can list its entries and proofs
 * (`GET /api/ledger/subjects/{type}/{id}`): a rule by id, a model by id, a day by its date
 * (`YYYY-MM-DD`), a declaration by its id (its inspection results and releases).
 */
export const TARGETING_SUBJECT_TYPES = {
  rule: 'targeting.rule',
  model: 'targeting.model',
  day: 'targeting.day',
  declaration: 'targeting.declaration',
} as const;

/** Who made a decision: the user (null for the CLI's operator), their role, the API token used. */
export interface DecisionMaker {
  readonly userId: string | null;
  readonly role: Role;
  readonly tokenId?: string;
}

export function decisionMaker(actor: Actor): DecisionMaker {
  return {
    userId: actor.userId,
    role: actor.role,
    ...(actor.tokenId !== undefined ? { tokenId: actor.tokenId } : {}),
  };
}

/** A rule created (before: null) or removed (after: null), with the rule in full. */
export function ruleRecord(
  actor: Actor,
  change: { before: StoredRule | null; after: StoredRule | null },
): LedgerRecord {
  const rule = (change.after ?? change.before) as StoredRule;
  return {
    type: change.after ? TARGETING_RECORD_TYPES.ruleCreated : TARGETING_RECORD_TYPES.ruleRemoved,
    subject: { type: TARGETING_SUBJECT_TYPES.rule, id: rule.id },
    body: { rule: rule.id, before: change.before, after: change.after, by: decisionMaker(actor) },
  };
}

/**
 * A model trained: which model (id, file format and version, SHA-256 of the model file as
 * stored), for what objective, on what (the training window and row counts), with what figures
 * (the early-stopping slice's Precision/Recall@n%, the trees kept), by whom.
 */
export function modelTrainedRecord(
  actor: Actor,
  model: { id: string; trained: TargetingModel; sha256: string; until: string | null },
): LedgerRecord {
  const t = model.trained.training;
  return {
    type: TARGETING_RECORD_TYPES.modelTrained,
    subject: { type: TARGETING_SUBJECT_TYPES.model, id: model.id },
    body: {
      model: model.id,
      objective: t.objective,
      format: { name: MODEL_FORMAT, version: MODEL_VERSION },
      modelSha256: model.sha256,
      data: {
        until: model.until,
        firstDate: t.firstDate,
        lastDate: t.lastDate,
        declarations: t.rows,
        positives: t.positives,
        earlyStoppingFrom: t.earlyStoppingFrom,
        earlyStoppingDeclarations: t.earlyStoppingRows,
      },
      metrics: { earlyStoppingSlice: t.holdoutMetrics, trees: t.bestRound, refit: t.refit },
      features: { groupKey: model.trained.config.groupKey, count: model.trained.names.length },
      by: decisionMaker(actor),
    },
  };
}

/**
 * A model made active for its objective, and each model that was active before, deactivated:
 * one record per model whose state changed, each on that model's page.
 */
export function modelActivationRecords(
  actor: Actor,
  change: { objective: Objective; activated: string; deactivated: readonly string[] },
): LedgerRecord[] {
  const by = decisionMaker(actor);
  return [
    {
      type: TARGETING_RECORD_TYPES.modelActivated,
      subject: { type: TARGETING_SUBJECT_TYPES.model, id: change.activated },
      body: {
        model: change.activated,
        objective: change.objective,
        active: { before: false, after: true },
        replaces: change.deactivated,
        by,
      },
    },
    ...change.deactivated.map((id): LedgerRecord => ({
      type: TARGETING_RECORD_TYPES.modelDeactivated,
      subject: { type: TARGETING_SUBJECT_TYPES.model, id },
      body: {
        model: id,
        objective: change.objective,
        active: { before: true, after: false },
        replacedBy: change.activated,
        by,
      },
    })),
  ];
}

/**
 * Why a declaration is in its lane, as codes: `inspect:<model|rule|raised|random>` when it was
 * picked for inspection and why, `rule:<rule id>` for each rule in force that matched it,
 * `raise:<source>` for each lane raise (`watchlist`, `critical-model`). No code: its lane is its
 * score's band.
 */
function reasonCodes(
  planned: InspectionDayPlan['declarations'][number],
  matchedRules: readonly string[],
): string[] {
  return [
    ...(planned.selectedBy ? [`inspect:${planned.selectedBy}`] : []),
    ...matchedRules.map((id) => `rule:${id}`),
    ...[...new Set(planned.raises.map((r) => r.source))].map((s) => `raise:${s}`),
  ];
}

/**
 * A day's selection: the scoring's inputs (models, capacity, random share, policies, the rules in
 * force) and, per lane, each declaration as `[id, ...reason codes]` in the day's order. One
 * record per scoring of a day.
 */
export function daySelectionRecord(
  actor: Actor,
  day: {
    date: string;
    modelId: string;
    criticalModelId: string | null;
    capacity: { readonly count: number } | { readonly percent: number };
    randomShare: number;
    watchlist: WatchlistPolicy;
    critical: CriticalPolicy | null;
    rules: readonly TargetingRule[];
    /** The day's declarations as planned (`plan.declarations[i].index` points into them). */
    declarations: readonly Declaration[];
    plan: InspectionDayPlan;
  },
): LedgerRecord {
  const lanes: Record<Lane, string[][]> = { red: [], yellow: [], blue: [], green: [] };
  for (const p of day.plan.declarations) {
    const d = day.declarations[p.index];
    const matched = d ? day.rules.filter((r) => ruleMatches(r, d)).map((r) => r.id) : [];
    lanes[p.lane].push([p.id, ...reasonCodes(p, matched)]);
  }
  return {
    type: TARGETING_RECORD_TYPES.daySelected,
    subject: { type: TARGETING_SUBJECT_TYPES.day, id: day.date },
    body: {
      date: day.date,
      models: { fraud: day.modelId, critical: day.criticalModelId },
      capacity: day.capacity,
      randomShare: day.randomShare,
      watchlist: day.watchlist,
      critical: day.critical,
      rules: day.rules.map((r) => r.id),
      declarations: day.declarations.length,
      counts: day.plan.lanes,
      criticalRaised: day.plan.criticalRaised,
      lanes,
      by: decisionMaker(actor),
    },
  };
}

/** An inspection result recorded: the declaration, the outcome, the result it replaced, who. */
export function inspectionRecord(
  actor: Actor,
  change: {
    declaration: { id: string; date: string };
    before: InspectionResult | null;
    after: { fraud: 0 | 1; critical: 0 | 1 | 2; note: string };
  },
): LedgerRecord {
  return {
    type: TARGETING_RECORD_TYPES.inspectionRecorded,
    subject: { type: TARGETING_SUBJECT_TYPES.declaration, id: change.declaration.id },
    body: {
      declaration: change.declaration.id,
      date: change.declaration.date,
      before: change.before,
      after: change.after,
      by: decisionMaker(actor),
    },
  };
}

/**
 * A red-lane declaration released without inspection: the declaration, the lane before and after,
 * why it had been selected (the codes and the reasons shown to the officer), the officer's
 * reason, who.
 */
export function releaseRecord(
  actor: Actor,
  release: { declaration: StoredDeclaration; reason: string },
): LedgerRecord {
  const d = release.declaration;
  return {
    type: TARGETING_RECORD_TYPES.declarationReleased,
    subject: { type: TARGETING_SUBJECT_TYPES.declaration, id: d.declaration.id },
    body: {
      declaration: d.declaration.id,
      date: d.declaration.date,
      lane: { before: d.lane, after: 'green' },
      selectedBy: d.selection?.selectedBy ?? null,
      score: d.score,
      criticalScore: d.criticalScore,
      selectionReasons: d.selection?.reasons ?? [],
      reason: release.reason,
      by: decisionMaker(actor),
    },
  };
}
