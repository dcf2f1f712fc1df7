import {
  STANDARD_PERCENTS,
  labelFor,
  precisionRecallAt,
  type AtN,
  type Declaration,
  type Objective,
} from '@interdict/targeting';
import {
  targetingRepository,
  type Actor,
  type InspectedDeclaration,
  type Store,
} from '@interdict/store';
import { ServiceError } from '../errors';
import type { TargetingModels } from './models';
import type { TargetingWorkers } from './workers';

/**
 * Out-of-time evaluation of a model version (issue 6: "model versions with their evaluation";
 * "inspection results ... are used at the next training"): Precision@n% and Recall@n%
 * (n = 1, 2, 5, 10) on the declarations inspected after the model's training data, i.e. dated
 * after its `lastDate`. The figures stored at training time are on the early-stopping slice, on
 * which the model chose its number of trees, so they flatter it; these do not.
 *
 * Each day is scored as the queue scores it: the model's training history advanced through every
 * stored declaration dated after its training data and before that day, with their inspection
 * results (advanceHistoryBetween, the walk behind modelAsOf), walked forward once over the days.
 *
 * Selection bias. Inspected declarations are mostly those the targeting selected (the model, the
 * officers' rules, watchlist raises), so the outcomes are known where earlier scores were high:
 * figures on them are not the figures on a day's declarations at large. Customs selectivity
 * keeps a random share of inspections for this reason (UNCTAD ASYCUDA's selectivity module has a
 * random selection criterion beside the risk profiles; the KCS work behind DATE, Kim et al., KDD
 * 2020, and its active-learning follow-up argue for exploration inspections so that the model
 * keeps seeing unbiased outcomes), and Interdict reserves it (`randomShare`, selection.ts). The
 * declarations that share picked (`selectedBy = 'random'` when the day was scored) are reported
 * apart: they were drawn uniformly from the day's declarations that the model and rules had not
 * picked, so they are an unbiased sample of that remainder (not of the top, which the model took).
 * Labels imported with a file (`source = 'import'`, e.g. the KCS benchmark, which labels every
 * declaration) carry no selection; their count is given so the reader can tell.
 */

/** Below either minimum the figures are withheld: P@1% needs 100 declarations to rest on one. */
export const EVALUATION_MINIMUM = { inspected: 100, positives: 5 } as const;

export interface EvaluationFigures {
  readonly inspected: number;
  /** Positives for the model's objective (Fraud, or Critical Fraud). */
  readonly positives: number;
  /** False when below EVALUATION_MINIMUM: `metrics` is then null ("not enough inspected yet"). */
  readonly enough: boolean;
  readonly metrics: AtN[] | null;
}

export interface ModelEvaluation {
  readonly modelId: string;
  readonly objective: Objective;
  /** The model's training data ends on this date; everything evaluated is dated after it. */
  readonly trainedThrough: string;
  /** `not-enough`: fewer inspected declarations (or positives) after the training than the minimum. */
  readonly status: 'ok' | 'not-enough';
  /** The inspected declarations' dates (null when there are none). */
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  readonly days: number;
  /** Every declaration inspected after the training data (biased towards what was selected). */
  readonly all: EvaluationFigures;
  /** Those picked by the random share when their day was scored; null when there are none. */
  readonly randomShare: EvaluationFigures | null;
  /** Where the inspection results came from: a labelled file, or officers. */
  readonly sources: { readonly import: number; readonly officer: number };
  readonly minimum: typeof EVALUATION_MINIMUM;
  readonly computedAt: string;
  /** Time the computation took (the answer may come from the cache: `cached`). */
  readonly computeMs: number;
  readonly cached: boolean;
}

function isEnough(labels: readonly (0 | 1)[]): boolean {
  const positives = labels.reduce<number>((s, l) => s + l, 0);
  return labels.length >= EVALUATION_MINIMUM.inspected && positives >= EVALUATION_MINIMUM.positives;
}

/** `scores` are only read when there are enough labels to report figures on. */
function figures(scores: readonly number[], labels: readonly (0 | 1)[]): EvaluationFigures {
  const enough = isEnough(labels);
  return {
    inspected: labels.length,
    positives: labels.reduce<number>((s, l) => s + l, 0),
    enough,
    metrics: enough ? precisionRecallAt(scores, labels, STANDARD_PERCENTS) : null,
  };
}

/**
 * Scores of the inspected declarations, each day with the history as the queue has it that day
 * (the history is advanced over the gap before each inspected day, then over that day itself).
 */
async function outOfTimeScores(
  { models, workers }: EvaluationDeps,
  store: Store,
  actor: Actor,
  modelId: string,
  trainedThrough: string,
  inspected: readonly InspectedDeclaration[],
): Promise<number[]> {
  // Read without filling the model cache, which is kept for the models the queue scores with.
  const base = await models.base(store, actor, modelId, { remember: false });
  const history = base.history.clone();
  const model = base.withHistory(history);
  const scores: number[] = [];
  // `cursor`: every declaration dated up to it (after the training data) is in the history.
  let cursor = trainedThrough;
  let start = 0;
  while (start < inspected.length) {
    const date = inspected[start]!.declaration.date;
    let end = start;
    while (end < inspected.length && inspected[end]!.declaration.date === date) end++;
    await models.advanceHistory(store, actor, history, cursor, date);
    // Scored without their labels, as the queue scores a day (the features read history only).
    const day = inspected
      .slice(start, end)
      .map(({ declaration: d }): Declaration => ({ ...d, fraud: null, critical: null }));
    const { scores: dayScores } = await workers.scoreDeclarations(model, day);
    for (const s of dayScores) scores.push(s);
    // Then the whole of that day (not only its inspected declarations) joins the history: the
    // window (the day before `date`, next date) starts with it.
    cursor = dayBefore(date);
    start = end;
  }
  return scores;
}

function dayBefore(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) throw new ServiceError('INVALID_ARGUMENT', `not a date: ${date}`);
  return new Date(t - 86_400_000).toISOString().slice(0, 10);
}

async function computeEvaluation(
  deps: EvaluationDeps,
  store: Store,
  actor: Actor,
  model: { id: string; objective: Objective; lastDate: string },
): Promise<ModelEvaluation> {
  const started = performance.now();
  const inspected = await targetingRepository(store).inspectedAfter(actor, model.lastDate);
  const labels = inspected.map((x) => labelFor(x.declaration, model.objective) ?? 0);
  const dates = new Set(inspected.map((x) => x.declaration.date));
  const sources = {
    import: inspected.filter((x) => x.source === 'import').length,
    officer: inspected.filter((x) => x.source === 'officer').length,
  };
  // Scoring is skipped when too few to report anything (the random share is a subset, so it is
  // then short of the minimum too and `figures` reads no score).
  const scores = isEnough(labels)
    ? await outOfTimeScores(deps, store, actor, model.id, model.lastDate, inspected)
    : [];
  const all = figures(scores, labels);
  const randomIdx = inspected.flatMap((x, i) => (x.selectedBy === 'random' ? [i] : []));
  const randomShare =
    randomIdx.length === 0
      ? null
      : figures(
          randomIdx.map((i) => scores[i] ?? NaN),
          randomIdx.map((i) => labels[i]!),
        );
  return {
    modelId: model.id,
    objective: model.objective,
    trainedThrough: model.lastDate,
    status: all.enough ? 'ok' : 'not-enough',
    firstDate: inspected[0]?.declaration.date ?? null,
    lastDate: inspected[inspected.length - 1]?.declaration.date ?? null,
    days: dates.size,
    all,
    randomShare,
    sources,
    minimum: EVALUATION_MINIMUM,
    computedAt: new Date().toISOString(),
    computeMs: Math.round(performance.now() - started),
    cached: false,
  };
}

interface EvaluationDeps {
  readonly models: TargetingModels;
  readonly workers: TargetingWorkers;
}

/**
 * The evaluation is cached per model id and a fingerprint of what it rests on (declarations,
 * inspections and stored selections dated after the model's training data, plus the write
 * generation of the service's model cache): re-opening the Models tab costs one small query. A
 * request arriving while the same evaluation is being computed waits for it rather than starting
 * another.
 */
interface CacheEntry {
  readonly fingerprint: string;
  readonly result: Promise<ModelEvaluation>;
}
/** Model versions kept: the Models tab shows a handful side by side. */
const CACHE_LIMIT = 32;

/** Out-of-time evaluations of model versions, remembered by one targeting service. */
export class ModelEvaluations {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(private readonly deps: EvaluationDeps) {}

  /**
   * The out-of-time evaluation of one model version of the actor's organisation (any version,
   * active or retired). NOT_FOUND for an unknown id and for another organisation's model.
   */
  async evaluate(store: Store, actor: Actor, modelId: string): Promise<ModelEvaluation> {
    const repo = targetingRepository(store);
    const row = await repo.modelInfo(actor, modelId);
    if (!row || !row.lastDate)
      throw new ServiceError('NOT_FOUND', `targeting model ${modelId} not found`);
    const model = { id: row.id, objective: row.objective, lastDate: row.lastDate };
    const fingerprint = `${this.deps.models.cache.generation(actor.organisationId)}|${await repo.evaluationFingerprint(actor, model.lastDate)}`;
    // Keyed by organisation too: model ids are unique, but a cache must never answer across them.
    const key = `${actor.organisationId}\u0000${model.id}`;
    const hit = this.cache.get(key);
    if (hit && hit.fingerprint === fingerprint) {
      const result = await hit.result;
      return { ...result, cached: true };
    }
    const result = computeEvaluation(this.deps, store, actor, model);
    this.cache.delete(key);
    this.cache.set(key, { fingerprint, result });
    while (this.cache.size > CACHE_LIMIT)
      this.cache.delete(this.cache.keys().next().value as string);
    // A failed computation is not remembered.
    result.catch(() => {
      if (this.cache.get(key)?.result === result) this.cache.delete(key);
    });
    return result;
  }

  /** Forgets every evaluation (tests compare cached answers with fresh ones). */
  clear(): void {
    this.cache.clear();
  }
}
