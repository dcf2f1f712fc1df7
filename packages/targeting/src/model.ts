import type { Declaration } from './declarations';
import { precisionRecallAt, type AtN } from './metrics';
import { TargetingError } from './errors';
import {
  DEFAULT_FEATURE_CONFIG,
  History,
  buildScoringFeatures,
  buildTrainingFeatures,
  featureNames,
  featureSchemaHash,
  type FeatureConfig,
  type FeatureMatrix,
  type HistoryJson,
  type Objective,
  type ScoringFeatureOptions,
} from './features';
import {
  CompiledGbdt,
  DEFAULT_GBDT_PARAMS,
  averageMembers,
  binDataset,
  saabas,
  trainMember,
  treeShap,
  validateGbdtModel,
  type BinnedDataset,
  type Dataset,
  type GbdtModel,
  type GbdtParams,
  type TrainResult,
} from './gbdt';

export const MODEL_FORMAT = 'interdict-targeting-model';
/**
 * 2: bagged and refitted models (`params.bags`, `training.members`, `training.refit`). A
 * version-1 file lacks them; it is refused (retrain) rather than read with guessed values.
 */
export const MODEL_VERSION = 2;

/**
 * Per-objective defaults, chosen with bench/targeting/protocol.ts on train alone (rolling origin
 * over Jul–Dec 2020, pooled; docs/benchmarks.md, "targeting"); explicit options override them.
 */
export const OBJECTIVE_DEFAULTS: Readonly<
  Record<
    Objective,
    {
      readonly gbdt: Partial<GbdtParams>;
      readonly features: Partial<Omit<FeatureConfig, 'objective'>>;
      readonly refit: boolean;
    }
  >
> = {
  fraud: { gbdt: {}, features: {}, refit: false },
  // Rolling-origin protocol, pooled R@1/2/5/10% (186 critical declarations): one model
  // 0.527/0.608/0.704/0.806; five bagged 0.532/0.629/0.742/0.817; bagged and refitted
  // 0.548/0.645/0.747/0.817. For Fraud neither changed the pooled precision beyond a
  // declaration or two, and bagging would multiply the scoring cost, so it stays one model.
  critical: { gbdt: { bags: 5 }, features: {}, refit: true },
};

export interface TrainingMetadata {
  readonly objective: Objective;
  readonly rows: number;
  readonly positives: number;
  readonly firstDate: string;
  readonly lastDate: string;
  /** Declarations dated on or after this were held out for early stopping. */
  readonly earlyStoppingFrom: string | null;
  readonly earlyStoppingRows: number;
  /** Trees kept and rounds run, summed over the bagged members. */
  readonly bestRound: number;
  readonly roundsRun: number;
  /** Per bagged member (one unless `params.bags` > 1). */
  readonly members: { readonly bestRound: number; readonly roundsRun: number }[];
  /** The trees were refitted on every training declaration after early stopping. */
  readonly refit: boolean;
  readonly params: GbdtParams;
  readonly validationCurve: number[];
  /** Precision@n% and Recall@n% (n = 1, 2, 5, 10) on the early-stopping holdout. */
  readonly holdoutMetrics: AtN[];
  /** Wall time spent building features and growing trees. */
  readonly featuresMs: number;
  readonly treesMs: number;
}

export interface TargetingModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly featureConfig: FeatureConfig;
  readonly featureSchema: { readonly names: string[]; readonly hash: string };
  readonly training: TrainingMetadata;
  readonly gbdt: GbdtModel;
  readonly history: HistoryJson;
}

export interface TrainOptions {
  readonly objective?: Objective;
  readonly features?: Partial<Omit<FeatureConfig, 'objective'>>;
  readonly gbdt?: Partial<GbdtParams>;
  /** Latest-dated share of the training declarations held out for early stopping. */
  readonly earlyStoppingFraction?: number;
  /**
   * After early stopping, refit every member on all the training declarations (the early-
   * stopping slice too) with the rounds early stopping chose (see refitGbdt).
   */
  readonly refit?: boolean;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** The label a model of this objective learns: Fraud, or Critical Fraud = 2. */
export function labelFor(d: Declaration, objective: Objective): 0 | 1 | null {
  if (d.fraud === null) return null;
  if (objective === 'fraud') return d.fraud;
  return d.critical === null ? null : d.critical === 2 ? 1 : 0;
}

export interface Reason {
  readonly feature: string;
  readonly value: number;
  /** Contribution to the log-odds. */
  readonly contribution: number;
  readonly text: string;
}

/** A trained targeting model: feature schema, history snapshot and boosted trees. */
export class TargetingModel {
  readonly config: FeatureConfig;
  readonly names: readonly string[];
  readonly gbdt: GbdtModel;
  readonly compiled: CompiledGbdt;
  readonly history: History;
  readonly training: TrainingMetadata;

  constructor(
    config: FeatureConfig,
    gbdt: GbdtModel,
    history: History,
    training: TrainingMetadata,
    compiled?: CompiledGbdt,
  ) {
    this.config = config;
    this.names = featureNames(config);
    this.gbdt = gbdt;
    this.compiled = compiled ?? new CompiledGbdt(gbdt);
    this.history = history;
    this.training = training;
  }

  /** The same trees with another history (e.g. a clone advanced to a later day); no re-parsing. */
  withHistory(history: History): TargetingModel {
    return new TargetingModel(this.config, this.gbdt, history, this.training, this.compiled);
  }

  get objective(): Objective {
    return this.config.objective;
  }

  /**
   * Features for declarations to score, strictly from earlier-dated history. With `online`
   * the model's history is advanced through the batch (see buildScoringFeatures).
   */
  features(
    declarations: readonly Declaration[],
    options: ScoringFeatureOptions = {},
  ): FeatureMatrix {
    return buildScoringFeatures(declarations, this.history, options);
  }

  /** Probabilities for a feature matrix built with this model's schema. */
  scoreMatrix(matrix: FeatureMatrix): Float64Array {
    if (matrix.names.length !== this.names.length)
      throw new TargetingError('MODEL_SCHEMA', 'feature matrix does not match the model schema');
    return this.compiled.probabilities(matrix.values, matrix.rows);
  }

  score(declarations: readonly Declaration[], options: ScoringFeatureOptions = {}): Float64Array {
    return this.scoreMatrix(this.features(declarations, options));
  }

  /**
   * Feature contributions to the log-odds of one row (exact TreeSHAP by default); bias plus
   * the contributions equals the row's margin.
   */
  explain(matrix: FeatureMatrix, row: number, method: 'treeshap' | 'saabas' = 'treeshap') {
    const offset = row * this.names.length;
    return method === 'treeshap'
      ? treeShap(this.gbdt, matrix.values, offset)
      : saabas(this.gbdt, matrix.values, offset);
  }

  /** The `limit` largest contributions towards fraud, as short readable reasons. */
  reasons(
    matrix: FeatureMatrix,
    row: number,
    limit = 3,
    method: 'treeshap' | 'saabas' = 'treeshap',
  ): Reason[] {
    const { contributions } = this.explain(matrix, row, method);
    const offset = row * this.names.length;
    return Array.from(contributions, (c, f) => ({ c, f }))
      .filter((x) => x.c > 0)
      .sort((a, b) => b.c - a.c || a.f - b.f)
      .slice(0, limit)
      .map(({ c, f }) => {
        const feature = this.names[f] as string;
        const value = matrix.values[offset + f] as number;
        return { feature, value, contribution: c, text: describeFeature(feature, value, c) };
      });
  }

  toJSON(): TargetingModelJson {
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      featureConfig: this.config,
      featureSchema: { names: [...this.names], hash: featureSchemaHash(this.names) },
      training: this.training,
      gbdt: this.gbdt,
      history: this.history.toJSON(),
    };
  }

  /** The model file's text (JSON; −∞ thresholds are written as null). */
  serialize(): string {
    return JSON.stringify(this.toJSON());
  }

  /** Loads a model file; a wrong format, version or feature schema is refused with a clear error. */
  static parse(text: string): TargetingModel {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TargetingError('MODEL_MALFORMED', 'the model file is not JSON');
    }
    return TargetingModel.fromJSON(value);
  }

  static fromJSON(value: unknown): TargetingModel {
    if (typeof value !== 'object' || value === null)
      throw new TargetingError('MODEL_MALFORMED', 'the model file is not a JSON object');
    const v = value as Partial<TargetingModelJson>;
    if (v.format !== MODEL_FORMAT)
      throw new TargetingError(
        'MODEL_MALFORMED',
        `not a targeting model (format "${String(v.format)}")`,
      );
    if (v.version !== MODEL_VERSION)
      throw new TargetingError(
        'MODEL_VERSION',
        `targeting model version ${String(v.version)} is not supported (this build reads version ${MODEL_VERSION}); retrain the model`,
        { details: { found: v.version, supported: MODEL_VERSION } },
      );
    const config = { ...DEFAULT_FEATURE_CONFIG, ...(v.featureConfig ?? {}) };
    const expected = featureNames(config);
    const names = v.featureSchema?.names;
    if (
      !Array.isArray(names) ||
      names.length !== expected.length ||
      names.some((n, i) => n !== expected[i]) ||
      v.featureSchema?.hash !== featureSchemaHash(expected)
    ) {
      throw new TargetingError(
        'MODEL_SCHEMA',
        "the model feature schema does not match this build's features for its configuration; retrain the model",
        {
          details: { expectedHash: featureSchemaHash(expected), foundHash: v.featureSchema?.hash },
        },
      );
    }
    if (!v.history || !v.training)
      throw new TargetingError(
        'MODEL_MALFORMED',
        'the model file lacks its history or training metadata',
      );
    const gbdt = validateGbdtModel(v.gbdt, expected.length);
    return new TargetingModel(config, gbdt, History.fromJSON(config, v.history), v.training);
  }
}

/** Training data as the GBDT sees it: fit rows (out-of-fold features), the later-dated holdout. */
export interface PreparedTraining {
  readonly config: FeatureConfig;
  readonly labelled: Declaration[];
  readonly fitDeclarations: Declaration[];
  readonly holdoutDeclarations: Declaration[];
  readonly fit: Dataset;
  readonly holdout: Dataset | undefined;
  readonly names: string[];
}

/**
 * Builds the feature matrices for training: the latest-dated `earlyStoppingFraction` of the
 * labelled declarations is held out (its features come from the earlier part only, exactly as
 * at scoring time) for early stopping and model selection.
 */
export function prepareTraining(
  declarations: readonly Declaration[],
  options: TrainOptions = {},
): PreparedTraining {
  const objective = options.objective ?? 'fraud';
  const config: FeatureConfig = {
    ...DEFAULT_FEATURE_CONFIG,
    ...OBJECTIVE_DEFAULTS[objective].features,
    ...options.features,
    objective,
  };
  const labelled = declarations.filter((d) => labelFor(d, objective) !== null);
  if (labelled.length === 0)
    throw new TargetingError(
      'NO_TRAINING_DATA',
      'no inspected (labelled) declarations to train on',
    );
  const split = splitByDate(labelled, options.earlyStoppingFraction ?? 0.15);
  const fitFeatures = buildTrainingFeatures(split.fit, config);
  const fit = toDataset(fitFeatures.matrix, split.fit, objective);
  let holdout: Dataset | undefined;
  if (split.holdout.length > 0) {
    const m = buildScoringFeatures(split.holdout, fitFeatures.history);
    holdout = toDataset(m, split.holdout, objective);
  }
  return {
    config,
    labelled,
    fitDeclarations: split.fit,
    holdoutDeclarations: split.holdout,
    fit,
    holdout,
    names: featureNames(config),
  };
}

/** Trains a targeting model; the latest-dated share of `declarations` drives early stopping. */
export function trainTargetingModel(
  declarations: readonly Declaration[],
  options: TrainOptions = {},
): TargetingModel {
  const started = performance.now();
  options.onProgress?.('features', 0, 1);
  const prepared = prepareTraining(declarations, options);
  options.onProgress?.('features', 1, 1);
  const featuresMs = performance.now() - started;
  return finishTraining(prepared, options, featuresMs);
}

/** The GBDT parameters training uses for `options`: the objective's defaults, then the caller's. */
export function trainingParams(options: TrainOptions = {}): GbdtParams {
  return {
    ...DEFAULT_GBDT_PARAMS,
    ...OBJECTIVE_DEFAULTS[options.objective ?? 'fraud'].gbdt,
    ...options.gbdt,
  };
}

/**
 * One bagged member to train: the shared binned rows, the parameters, the member's index (its
 * seed is memberSeed(params.seed, member)) and either the early-stopping rows or, for a refit,
 * the rounds early stopping chose. Typed arrays and numbers only, so a worker thread can run it.
 */
export interface MemberTask {
  readonly data: BinnedDataset;
  readonly params: GbdtParams;
  readonly member: number;
  readonly valid?: Dataset | undefined;
  readonly rounds?: number | undefined;
}

/** Trains one member (pure: the same task gives the same trees on any thread). */
export function runMemberTask(
  task: MemberTask,
  onRound?: (round: number, total: number) => void,
): TrainResult {
  return trainMember(task.data, task.params, task.member, {
    valid: task.valid,
    rounds: task.rounds,
    onRound,
  });
}

/**
 * Training split into separable steps so the bagged members can be trained anywhere (in turn by
 * finishTraining, or on worker threads by the store's training pool) and still give the same
 * model: planTraining → run `members` → refitDataset, refitTask → run those → assembleModel.
 */
export interface TrainingPlan {
  readonly prepared: PreparedTraining;
  readonly params: GbdtParams;
  readonly refit: boolean;
  /** The early-stopping members, in member order. */
  readonly members: readonly MemberTask[];
  readonly featuresMs: number;
  /** performance.now() when tree training began (for `training.treesMs`). */
  readonly started: number;
}

export function planTraining(
  prepared: PreparedTraining,
  options: TrainOptions = {},
  featuresMs = 0,
): TrainingPlan {
  const started = performance.now();
  const params = trainingParams({ ...options, objective: prepared.config.objective });
  const data = binDataset(prepared.fit, params);
  const members = Array.from({ length: params.bags }, (_, member) => ({
    data,
    params,
    member,
    valid: prepared.holdout,
  }));
  const refit =
    (options.refit ?? OBJECTIVE_DEFAULTS[prepared.config.objective].refit) &&
    prepared.holdout !== undefined;
  return { prepared, params, refit, members, featuresMs, started };
}

/**
 * The refit's rows (undefined without a refit): every labelled declaration, features out-of-fold
 * as for the fit rows, binned. They do not depend on the members, so they may be built while the
 * members train.
 */
export function refitDataset(plan: TrainingPlan): BinnedDataset | undefined {
  if (!plan.refit) return undefined;
  const { config, labelled } = plan.prepared;
  const { objective, ...features } = config;
  const all = prepareTraining(labelled, { objective, features, earlyStoppingFraction: 0 });
  return binDataset(all.fit, plan.params);
}

/** Member `stopped`'s refit: on `data`, with the rounds early stopping chose (see refitGbdt). */
export function refitTask(
  plan: TrainingPlan,
  data: BinnedDataset,
  member: number,
  stopped: TrainResult,
): MemberTask {
  return { data, params: plan.params, member, rounds: stopped.bestRound };
}

/** The model from the trained members (in member order) and, with a refit, the refitted ones. */
export function assembleModel(
  plan: TrainingPlan,
  stoppedMembers: readonly TrainResult[],
  refittedMembers: readonly TrainResult[],
): TargetingModel {
  const { prepared, params, refit } = plan;
  const { config, labelled } = prepared;
  const objective = config.objective;
  if (stoppedMembers.length !== params.bags || refittedMembers.length !== (refit ? params.bags : 0))
    throw new TargetingError('INVALID_ARGUMENT', 'member count differs from the plan');
  const stopped = averageMembers(stoppedMembers);
  // Precision/Recall@n% on the early-stopping holdout: a model version's evaluation (slightly
  // optimistic, since the same rows chose the number of trees; before any refit, which sees them).
  let holdoutMetrics: AtN[] = [];
  if (prepared.holdout) {
    const compiled = new CompiledGbdt(stopped.model);
    const margins = compiled.margins(prepared.holdout.values, prepared.holdout.rows);
    holdoutMetrics = precisionRecallAt(margins, prepared.holdout.labels);
  }
  const result = refit
    ? {
        ...averageMembers(refittedMembers),
        validationCurve: stopped.validationCurve,
        roundsRun: stopped.roundsRun,
      }
    : stopped;
  const treesMs = performance.now() - plan.started;
  // Scoring later declarations uses everything known: the full training history.
  const history = new History(config);
  for (const d of labelled) history.learnCodes(d);
  for (const d of labelled) history.add(d, true);
  const sorted = [...labelled].sort((a, b) => a.day - b.day);
  const training: TrainingMetadata = {
    objective,
    rows: labelled.length,
    positives: labelled.filter((d) => labelFor(d, objective) === 1).length,
    firstDate: (sorted[0] as Declaration).date,
    lastDate: (sorted[sorted.length - 1] as Declaration).date,
    earlyStoppingFrom: prepared.holdoutDeclarations[0]?.date ?? null,
    earlyStoppingRows: prepared.holdoutDeclarations.length,
    bestRound: result.bestRound,
    roundsRun: result.roundsRun,
    members: stopped.members,
    refit,
    params,
    validationCurve: result.validationCurve,
    holdoutMetrics,
    featuresMs: Math.round(plan.featuresMs),
    treesMs: Math.round(treesMs),
  };
  return new TargetingModel(config, result.model, history, training);
}

/** Second half of trainTargetingModel, for callers (the bench) that time the stages apart. */
export function finishTraining(
  prepared: PreparedTraining,
  options: TrainOptions = {},
  featuresMs = 0,
): TargetingModel {
  const plan = planTraining(prepared, options, featuresMs);
  const { rounds } = plan.params;
  const total = rounds * plan.members.length;
  const stopped = plan.members.map((task) =>
    runMemberTask(task, (round) =>
      options.onProgress?.('trees', task.member * rounds + round, total),
    ),
  );
  const data = refitDataset(plan);
  const refitted = data
    ? stopped.map((r, member) => runMemberTask(refitTask(plan, data, member, r)))
    : [];
  return assembleModel(plan, stopped, refitted);
}

/** Trains one member somewhere (e.g. a worker thread); `onRound` reports its progress. */
export type MemberRunner = (
  task: MemberTask,
  onRound?: (round: number) => void,
) => Promise<TrainResult>;

/**
 * finishTraining with the members trained by `run`, all submitted at once: the same steps, so
 * the same model. Each member's refit is submitted as soon as that member has stopped, and the
 * refit's rows are built while the first members train, so threads are not left waiting.
 */
export async function finishTrainingWith(
  prepared: PreparedTraining,
  options: TrainOptions,
  featuresMs: number,
  run: MemberRunner,
): Promise<TargetingModel> {
  const plan = planTraining(prepared, options, featuresMs);
  const { rounds } = plan.params;
  const done = plan.members.map(() => 0);
  const stopping = plan.members.map((task, i) =>
    run(task, (round) => {
      done[i] = round;
      options.onProgress?.(
        'trees',
        done.reduce((a, b) => a + b, 0),
        rounds * done.length,
      );
    }),
  );
  // Marked handled at once: if a later step throws first, a failed member is no unhandled rejection.
  for (const p of stopping) p.catch(() => undefined);
  const data = refitDataset(plan);
  const refitting = data
    ? stopping.map((p, member) => p.then((r) => run(refitTask(plan, data, member, r))))
    : [];
  for (const p of refitting) p.catch(() => undefined);
  const [stopped, refitted] = await Promise.all([Promise.all(stopping), Promise.all(refitting)]);
  return assembleModel(plan, stopped, refitted);
}

/**
 * Splits by date: the holdout is every declaration on or after the first date at which the
 * latest `fraction` of rows begins, so no day is split between the two parts.
 */
export function splitByDate(
  declarations: readonly Declaration[],
  fraction: number,
): { fit: Declaration[]; holdout: Declaration[] } {
  const sorted = [...declarations].sort((a, b) => a.day - b.day);
  if (fraction <= 0 || sorted.length < 2) return { fit: sorted, holdout: [] };
  const cut = sorted[Math.floor(sorted.length * (1 - fraction))] as Declaration;
  const fit = sorted.filter((d) => d.day < cut.day);
  const holdout = sorted.filter((d) => d.day >= cut.day);
  if (fit.length === 0) return { fit: sorted, holdout: [] };
  return { fit, holdout };
}

export function toDataset(
  matrix: FeatureMatrix,
  declarations: readonly Declaration[],
  objective: Objective,
): Dataset {
  const labels = new Uint8Array(declarations.length);
  declarations.forEach((d, i) => {
    labels[i] = labelFor(d, objective) ?? 0;
  });
  return { values: matrix.values, rows: matrix.rows, featureCount: matrix.names.length, labels };
}

const ENTITY_WORDS: Record<string, string> = {
  importer: 'importer',
  declarant: 'declarant',
  seller: 'seller',
  courier: 'courier',
  office: 'office',
  hsChapter: 'HS chapter',
  hsHeading: 'HS heading',
  hsSubheading: 'HS subheading',
  hsCode: 'HS code',
  origin: 'origin country',
  departure: 'departure country',
  'importer×hs': 'importer with this HS subheading',
  'hs×origin': 'HS subheading from this origin',
  'declarant×importer': 'declarant with this importer',
  'office×hs': 'office with this HS subheading',
  groupKey: 'HS/departure/origin/tax group',
};

/** A one-line reason for a contribution, e.g. "importer fraud rate 42% (+0.81)". */
export function describeFeature(name: string, value: number, contribution: number): string {
  const [head, tail] = name.split('.') as [string, string | undefined];
  const c = `${contribution >= 0 ? '+' : ''}${contribution.toFixed(2)}`;
  const v = Number.isFinite(value) ? value : NaN;
  const entity = ENTITY_WORDS[head];
  if (entity && tail === 'fraudRate') return `${entity} fraud rate ${(v * 100).toFixed(1)}% (${c})`;
  if (entity && tail === 'criticalRate')
    return `${entity} critical-fraud rate ${(v * 100).toFixed(2)}% (${c})`;
  if (entity && tail === 'count') {
    const seen =
      v === 0 ? 'never seen before' : v === 1 ? 'seen once before' : `seen ${v} times before`;
    return `${entity} ${seen} (${c})`;
  }
  if (name === 'unitValue.zInHs') return `unit value ${v.toFixed(1)} SD from its HS norm (${c})`;
  return `${name} = ${Number.isNaN(v) ? 'missing' : Number(v.toPrecision(4))} (${c})`;
}
