import { TargetingError } from '../errors';
import { Prng } from '../prng';
import { binDataset, type BinnedDataset, type Binning, type Dataset } from './binning';
import { growTree, leafValueBinned } from './grow';
import { auc, logLoss } from './metrics';
import { DEFAULT_GBDT_PARAMS, checkParams, type GbdtParams } from './params';
import type { GbdtModel, Tree } from './tree';

/**
 * Gradient-boosted decision trees for binary classification, on typed arrays.
 *
 * - Second-order boosting with the logistic loss: gain and leaf weights from the gradient and
 *   hessian sums with L2 regularisation (Chen and Guestrin, "XGBoost", KDD 2016, §2.2, eq. 6–7).
 * - Quantile-binned histograms (≤ 255 value bins plus bin 0 for missing), best-first (leaf-wise)
 *   growth and histogram subtraction: a child's histogram is its parent's minus its sibling's,
 *   so only the smaller child is scanned (Ke et al., "LightGBM", NeurIPS 2017, §2).
 * - Shrinkage, row subsampling and column subsampling per tree, class weighting, early stopping
 *   on a separate (later-dated) validation set, and a seeded PRNG so a seed fixes the model.
 */

export interface TrainResult {
  readonly model: GbdtModel;
  /** Validation metric after each round (empty without a validation set; the first member's when bagged). */
  readonly validationCurve: number[];
  /** Trees kept (summed over bagged members). */
  readonly bestRound: number;
  readonly roundsRun: number;
  /** Per bagged member: trees kept and rounds run. */
  readonly members: { readonly bestRound: number; readonly roundsRun: number }[];
}

/** Seed of bagged member k: member 0 keeps the model's seed, so bags = 1 is the plain model. */
export function memberSeed(seed: number, k: number): number {
  return (seed + Math.imul(k, 0x9e3779b9)) >>> 0;
}

export interface MemberOptions {
  /** Early-stopping rows (later-dated); without them every round is kept. */
  readonly valid?: Dataset | undefined;
  /** Rounds to run instead of `params.rounds` (a refit: the rounds early stopping chose). */
  readonly rounds?: number | undefined;
  readonly onRound?: ((round: number, total: number) => void) | undefined;
}

/**
 * Trains bagged member `member` (seed memberSeed(params.seed, member)) on shared bins. The
 * members are independent of one another, so they may run in any order or on other threads;
 * averageMembers then joins them in member order, which fixes the model.
 */
export function trainMember(
  binned: BinnedDataset,
  params: Partial<GbdtParams>,
  member: number,
  options: MemberOptions = {},
): TrainResult {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  checkParams(p);
  if (!(Number.isInteger(member) && member >= 0 && member < p.bags))
    throw new TargetingError('INVALID_ARGUMENT', `no bagged member ${member} of ${p.bags}`);
  const { valid, rounds } = options;
  if (valid && valid.featureCount !== binned.data.featureCount)
    throw new TargetingError('INVALID_ARGUMENT', 'validation set has a different feature count');
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1))
    throw new TargetingError('INVALID_ARGUMENT', 'a member needs a positive round count');
  const q = { ...p, seed: memberSeed(p.seed, member), rounds: rounds ?? p.rounds };
  return trainOne(binned.data, q, binned.binning, valid, options.onRound);
}

/**
 * Trains a binary logistic GBDT; `valid` drives early stopping. With `bags` > 1, that many
 * members (seeds from memberSeed) are averaged into one model (see GbdtParams.bags).
 */
export function trainGbdt(
  train: Dataset,
  params: Partial<GbdtParams> = {},
  valid?: Dataset,
  onRound?: (round: number, total: number) => void,
): TrainResult {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  const binned = binDataset(train, p);
  const total = p.rounds * p.bags;
  const results = Array.from({ length: p.bags }, (_, k) =>
    trainMember(binned, p, k, {
      valid,
      onRound: (round) => onRound?.(k * p.rounds + round, total),
    }),
  );
  return averageMembers(results);
}

/**
 * Refits the members of an early-stopped (possibly bagged) model on `train` — typically the
 * fit rows plus the early-stopping rows — each with its own seed and the number of rounds early
 * stopping chose for it, without a validation set: the latest-dated declarations then shape the
 * trees too, not only the history features (for a rare label they hold a large share of the
 * recent positives).
 */
export function refitGbdt(
  train: Dataset,
  params: Partial<GbdtParams>,
  rounds: readonly number[],
): TrainResult {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  checkParams(p);
  if (rounds.length !== p.bags || rounds.some((r) => !(Number.isInteger(r) && r >= 1)))
    throw new TargetingError('INVALID_ARGUMENT', 'refit needs a positive round count per member');
  const binned = binDataset(train, p);
  return averageMembers(rounds.map((n, k) => trainMember(binned, p, k, { rounds: n })));
}

/**
 * Members averaged in log-odds as one model, in member order: leaf values divided by the member
 * count.
 */
export function averageMembers(results: readonly TrainResult[]): TrainResult {
  const first = results[0];
  if (!first) throw new TargetingError('INVALID_ARGUMENT', 'no members to average');
  if (results.length === 1) return first;
  const scale = 1 / results.length;
  const trees = results.flatMap((r) =>
    r.model.trees.map((t) => ({ ...t, value: t.value.map((v) => v * scale) })),
  );
  return {
    // Every member starts from the same base margin (it depends on the labels alone).
    model: { featureCount: first.model.featureCount, baseMargin: first.model.baseMargin, trees },
    validationCurve: first.validationCurve,
    bestRound: trees.length,
    roundsRun: results.reduce((s, r) => s + r.roundsRun, 0),
    members: results.map((r) => ({ bestRound: r.bestRound, roundsRun: r.roundsRun })),
  };
}

function trainOne(
  train: Dataset,
  p: GbdtParams,
  binning: Binning,
  valid: Dataset | undefined,
  onRound?: (round: number, total: number) => void,
): TrainResult {
  const { rows, featureCount: F, labels, targets } = train;
  const prng = new Prng(p.seed);
  const slots = binning.slots;

  const weight = new Float64Array(rows);
  let sw1 = 0;
  let sw0 = 0;
  for (let r = 0; r < rows; r++) {
    const w = labels[r] === 1 ? p.positiveWeight : 1;
    weight[r] = w;
    if (labels[r] === 1) sw1 += w;
    else sw0 += w;
  }
  const baseMargin = Math.log((sw1 + 0.5) / (sw0 + 0.5));
  const margin = new Float64Array(rows).fill(baseMargin);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  const index = new Uint32Array(rows);
  const scratch = new Uint32Array(rows);
  const inBag = new Uint8Array(rows);
  const histPool: Float64Array[] = [];
  const takeHist = (): Float64Array => histPool.pop() ?? new Float64Array(binning.histSize);

  const validMargin = valid ? new Float64Array(valid.rows).fill(baseMargin) : undefined;
  const trees: Tree[] = [];
  const curve: number[] = [];
  let best = Infinity;
  let bestRound = 0;
  const allFeatures = Array.from({ length: F }, (_, f) => f);

  for (let round = 0; round < p.rounds; round++) {
    for (let r = 0; r < rows; r++) {
      const prob = 1 / (1 + Math.exp(-(margin[r] as number)));
      const w = weight[r] as number;
      const y = targets ? (targets[r] as number) : (labels[r] as number);
      grad[r] = (prob - y) * w;
      hess[r] = Math.max(prob * (1 - prob), 1e-16) * w;
    }
    // Row subsampling (Friedman, "Stochastic gradient boosting", 2002).
    let m = 0;
    if (p.subsample >= 1) {
      for (let r = 0; r < rows; r++) index[m++] = r;
    } else {
      for (let r = 0; r < rows; r++) if (prng.next() < p.subsample) index[m++] = r;
      if (m === 0) index[m++] = prng.int(rows);
    }
    const nFeat = Math.max(1, Math.round(p.colsample * F));
    const features = Int32Array.from(
      p.colsample >= 1
        ? allFeatures
        : prng
            .shuffle([...allFeatures])
            .slice(0, nFeat)
            .sort((a, b) => a - b),
    );

    const { tree, leaves, splitSlot } = growTree(
      p,
      F,
      slots,
      binning,
      grad,
      hess,
      index,
      scratch,
      m,
      features,
      takeHist,
      histPool,
    );
    trees.push(tree);
    // Update training margins. The rows the tree was grown on sit in its leaves' index ranges,
    // so their leaf is known without a walk (the partition on bins sends a row where the walk
    // on its raw value would, −∞ aside: see Binning.negativeInfinity); the others are walked.
    if (binning.negativeInfinity) {
      for (let r = 0; r < rows; r++)
        margin[r] = (margin[r] as number) + leafValueRaw(tree, train.values, r * F);
    } else {
      inBag.fill(0);
      for (const leaf of leaves) {
        const v = tree.value[leaf.node] as number;
        for (let i = leaf.start; i < leaf.end; i++) {
          const r = index[i] as number;
          margin[r] = (margin[r] as number) + v;
          inBag[r] = 1;
        }
      }
      // Out-of-bag rows walk their bins (69 bytes a row) rather than their values (8 bytes a
      // feature): the same leaf, without −∞.
      if (m < rows)
        for (let r = 0; r < rows; r++)
          if (inBag[r] === 0)
            margin[r] = (margin[r] as number) + leafValueBinned(tree, splitSlot, slots, r * F);
    }
    if (valid && validMargin) {
      for (let r = 0; r < valid.rows; r++)
        validMargin[r] = (validMargin[r] as number) + leafValueRaw(tree, valid.values, r * F);
      const score =
        p.earlyStoppingMetric === 'auc'
          ? -auc(validMargin, valid.labels)
          : logLoss(validMargin, valid.labels);
      curve.push(p.earlyStoppingMetric === 'auc' ? -score : score);
      if (score < best - 1e-12) {
        best = score;
        bestRound = round + 1;
      } else if (round + 1 - bestRound >= p.earlyStoppingRounds) {
        onRound?.(round + 1, p.rounds);
        break;
      }
    } else {
      bestRound = round + 1;
    }
    onRound?.(round + 1, p.rounds);
  }
  const roundsRun = trees.length;
  trees.length = bestRound;
  return {
    model: { featureCount: F, baseMargin, trees },
    validationCurve: curve,
    bestRound,
    roundsRun,
    members: [{ bestRound, roundsRun }],
  };
}

function leafValueRaw(tree: Tree, values: Float64Array, offset: number): number {
  let n = 0;
  for (;;) {
    const f = tree.feature[n] as number;
    if (f < 0) return tree.value[n] as number;
    const x = values[offset + f] as number;
    n =
      x <= (tree.threshold[n] as number) || x !== x
        ? (tree.left[n] as number)
        : (tree.right[n] as number);
  }
}
