/**
 * Gradient-boosted decision trees for binary classification, on typed arrays: the names the rest
 * of the package (model.ts, index.ts) uses, from the files under gbdt/, one concern each:
 *
 * - params.ts    the boosting parameters, their defaults and their check;
 * - tree.ts      a trained model as plain data (parallel arrays per tree);
 * - binning.ts   the training rows and their quantile bins, shared by bagged members;
 * - grow.ts      one tree: histograms, best-first splits, histogram subtraction;
 * - train.ts     the boosting loop, early stopping, bagged members, refits;
 * - metrics.ts   the early-stopping metrics (log loss, AUC);
 * - scoring.ts   CompiledGbdt: the trees flattened for fast, bit-identical margins;
 * - compile.ts   the trees compiled to JavaScript, the fastest of those margins;
 * - treeshap.ts  per-row explanations (exact TreeSHAP, Saabas);
 * - validate.ts  the checks a model file passes before anything walks its trees.
 */
export { binDataset, type BinnedDataset, type Binning, type Dataset } from './gbdt/binning';
export { auc } from './gbdt/metrics';
export { DEFAULT_GBDT_PARAMS, type GbdtParams } from './gbdt/params';
export { CompiledGbdt, sigmoid } from './gbdt/scoring';
export {
  averageMembers,
  memberSeed,
  refitGbdt,
  trainGbdt,
  trainMember,
  type MemberOptions,
  type TrainResult,
} from './gbdt/train';
export type { GbdtModel, Tree } from './gbdt/tree';
export { saabas, treeShap, type Explanation } from './gbdt/treeshap';
export { validateGbdtModel } from './gbdt/validate';
