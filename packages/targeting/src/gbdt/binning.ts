import { TargetingError } from '../errors';
import { DEFAULT_GBDT_PARAMS, checkParams, type GbdtParams } from './params';

/**
 * Quantile binning of the training rows (Ke et al., "LightGBM", NeurIPS 2017, §2): every
 * histogram of training is built on these bins, so they are made once per training set and
 * shared by every bagged member.
 */

export interface Dataset {
  /** Row-major values, `rows × featureCount`; NaN is missing. */
  readonly values: Float64Array;
  readonly rows: number;
  readonly featureCount: number;
  /** 0/1 labels. */
  readonly labels: Uint8Array;
  /**
   * Optional soft targets in [0, 1] for the gradients (e.g. a non-critical fraud as a partial
   * positive for the Critical Fraud objective); `labels` still drive class weights and early
   * stopping.
   */
  readonly targets?: Float64Array;
}

export interface Binning {
  /** Per feature, ascending upper edges: bin(x) = 1 + #{edges < x}; bin 0 is missing. */
  readonly edges: Float64Array[];
  /**
   * Row-major, `slots[r * F + f]`: the row's histogram cell for feature f, that is
   * `histOffset[f] / 2 + bin`, so a histogram pass adds without looking the offset up. (Column-
   * major was slower for the histograms: a feature whose rows mostly share one bin makes a chain
   * of dependent additions to one cell, while row by row the additions go to different
   * features' cells and overlap.)
   */
  readonly slots: Uint16Array;
  /**
   * The same bins column-major, `byFeature[f * rows + r]`, for partitioning a node on its split
   * feature: its rows are ascending (the partition is stable), so this reads one feature's bytes
   * forwards instead of one byte from each row's cache line.
   */
  readonly byFeature: Uint8Array;
  readonly binCount: Int32Array;
  /**
   * Where feature f's (gradient, hessian) pairs start in a histogram: histograms are packed to
   * each feature's bin count instead of 256 bins each (most features have far fewer), so the
   * live histograms of a tree stay small enough for the cache.
   */
  readonly histOffset: Int32Array;
  readonly histSize: number;
  /**
   * Some value is −∞. Such a row goes left at a split on bin 0 when trees are walked on raw
   * values (`−∞ <= −∞`) but right on its bin (1): training margins are then updated by walking
   * the raw values, as the model will be scored, instead of from the row partition.
   */
  readonly negativeInfinity: boolean;
}

/** Quantile bins per feature, computed from the training values. */
function buildBinning(data: Dataset, maxBins: number): Binning {
  const { rows, featureCount: F, values } = data;
  const edges: Float64Array[] = [];
  const binCount = new Int32Array(F);
  const slots = new Uint16Array(rows * F);
  const byFeature = new Uint8Array(rows * F);
  const histOffset = new Int32Array(F);
  let histSize = 0;
  let negativeInfinity = false;
  const column = new Float64Array(rows);
  for (let f = 0; f < F; f++) {
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const v = values[r * F + f] as number;
      if (v === v) column[n++] = v;
    }
    const sorted = column.subarray(0, n).sort();
    const uniques: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = sorted[i] as number;
      if (uniques.length === 0 || uniques[uniques.length - 1] !== v) uniques.push(v);
    }
    let e: number[];
    if (uniques.length <= maxBins) {
      // Few distinct values: one bin each, edges halfway between neighbours.
      e = [];
      for (let i = 0; i + 1 < uniques.length; i++)
        e.push(((uniques[i] as number) + (uniques[i + 1] as number)) / 2);
    } else {
      e = [];
      for (let k = 1; k < maxBins; k++) {
        const v = sorted[Math.floor((k * n) / maxBins)] as number;
        if (e.length === 0 || (e[e.length - 1] as number) < v) e.push(v);
      }
    }
    const fe = Float64Array.from(e);
    edges.push(fe);
    binCount[f] = fe.length + 2;
    histOffset[f] = histSize;
    histSize += 2 * (fe.length + 2);
    if (n > 0 && sorted[0] === -Infinity) negativeInfinity = true;
    for (let r = 0; r < rows; r++) {
      const v = values[r * F + f] as number;
      const b = v === v ? 1 + lowerBound(fe, v) : 0;
      slots[r * F + f] = histSize / 2 - (fe.length + 2) + b;
      byFeature[f * rows + r] = b;
    }
  }
  return { edges, slots, byFeature, binCount, histOffset, histSize, negativeInfinity };
}

/** Number of edges strictly below v. */
function lowerBound(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Training rows with their quantile bins. The bins depend on the rows alone, so they are built
 * once and shared by every bagged member; being plain numbers and typed arrays, they also cross
 * to worker threads (structured clone, or shared memory) unchanged.
 */
export interface BinnedDataset {
  readonly data: Dataset;
  readonly binning: Binning;
}

/** Bins `train` for trainMember (only `maxBins` of the parameters matters). */
export function binDataset(train: Dataset, params: Partial<GbdtParams> = {}): BinnedDataset {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  checkParams(p);
  if (train.rows === 0) throw new TargetingError('NO_TRAINING_DATA', 'no rows to train on');
  if (train.targets && train.targets.length !== train.rows)
    throw new TargetingError('INVALID_ARGUMENT', 'soft targets differ in length from the rows');
  return { data: train, binning: buildBinning(train, p.maxBins) };
}
