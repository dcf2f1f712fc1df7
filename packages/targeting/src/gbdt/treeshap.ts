import type { GbdtModel, Tree } from './tree';
import { treeDepth } from './tree';

/**
 * Per-declaration explanations of a model's margin as feature contributions: exact TreeSHAP,
 * which the officer's reasons use, and the cheaper Saabas path attribution.
 */

/** Per-feature contributions plus a bias; bias + Σ contributions = the row's margin. */
export interface Explanation {
  readonly bias: number;
  readonly contributions: Float64Array;
}

/**
 * Exact TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution for
 * tree ensembles", 2018, Algorithm 2): Shapley values of the tree's conditional expectation,
 * with node covers as the background distribution. Contributions sum to margin − bias, where
 * bias is the base margin plus each tree's cover-weighted mean leaf value.
 */
export function treeShap(model: GbdtModel, values: ArrayLike<number>, offset = 0): Explanation {
  const phi = new Float64Array(model.featureCount);
  const { depth, bias } = summary(model);
  // One buffer for all path copies: level k's path (length ≤ k + 1) lives at offset k(k+1)/2,
  // as in the reference implementation, so recursion allocates nothing.
  const size = ((depth + 2) * (depth + 3)) / 2;
  const path: PathBuffers = {
    d: new Int32Array(size),
    z: new Float64Array(size),
    o: new Float64Array(size),
    w: new Float64Array(size),
  };
  for (const tree of model.trees) recurse(tree, values, offset, phi, path, 0, 0, 0, 1, 1, -1);
  return { bias, contributions: phi };
}

const summaries = new WeakMap<GbdtModel, { depth: number; bias: number }>();

/** The deepest tree and the expected margin (base + each tree's mean leaf), cached per model. */
function summary(model: GbdtModel): { depth: number; bias: number } {
  let s = summaries.get(model);
  if (!s) {
    let depth = 0;
    let bias = model.baseMargin;
    for (const tree of model.trees) {
      depth = Math.max(depth, treeDepth(tree, 0));
      bias += expectedValue(tree, 0);
    }
    s = { depth, bias };
    summaries.set(model, s);
  }
  return s;
}

function expectedValue(tree: Tree, n: number): number {
  if ((tree.feature[n] as number) < 0) return tree.value[n] as number;
  const l = tree.left[n] as number;
  const r = tree.right[n] as number;
  const c = tree.cover[n] as number;
  return (
    ((tree.cover[l] as number) * expectedValue(tree, l) +
      (tree.cover[r] as number) * expectedValue(tree, r)) /
    c
  );
}

interface PathBuffers {
  readonly d: Int32Array;
  readonly z: Float64Array;
  readonly o: Float64Array;
  readonly w: Float64Array;
}

/** EXTEND of Algorithm 2: appends (pi, pz, po) to the path of length `l` starting at `at`. */
function extendPath(
  p: PathBuffers,
  at: number,
  l: number,
  pz: number,
  po: number,
  pi: number,
): void {
  p.d[at + l] = pi;
  p.z[at + l] = pz;
  p.o[at + l] = po;
  p.w[at + l] = l === 0 ? 1 : 0;
  for (let i = l - 1; i >= 0; i--) {
    p.w[at + i + 1] =
      (p.w[at + i + 1] as number) + (po * (p.w[at + i] as number) * (i + 1)) / (l + 1);
    p.w[at + i] = (pz * (p.w[at + i] as number) * (l - i)) / (l + 1);
  }
}

/** UNWIND of Algorithm 2: removes element `i` from the path of length `len`. */
function unwindPath(p: PathBuffers, at: number, len: number, i: number): void {
  const l = len - 1;
  const o = p.o[at + i] as number;
  const z = p.z[at + i] as number;
  let n = p.w[at + l] as number;
  for (let j = l - 1; j >= 0; j--) {
    if (o !== 0) {
      const t = p.w[at + j] as number;
      p.w[at + j] = (n * (l + 1)) / ((j + 1) * o);
      n = t - ((p.w[at + j] as number) * z * (l - j)) / (l + 1);
    } else {
      p.w[at + j] = ((p.w[at + j] as number) * (l + 1)) / (z * (l - j));
    }
  }
  for (let j = i; j < l; j++) {
    p.d[at + j] = p.d[at + j + 1] as number;
    p.z[at + j] = p.z[at + j + 1] as number;
    p.o[at + j] = p.o[at + j + 1] as number;
  }
}

/** Sum of the weights UNWIND(i) would leave, without changing the path. */
function unwoundSum(p: PathBuffers, at: number, len: number, i: number): number {
  const l = len - 1;
  const o = p.o[at + i] as number;
  const z = p.z[at + i] as number;
  let total = 0;
  let n = p.w[at + l] as number;
  for (let j = l - 1; j >= 0; j--) {
    if (o !== 0) {
      const t = (n * (l + 1)) / ((j + 1) * o);
      total += t;
      n = (p.w[at + j] as number) - (t * z * (l - j)) / (l + 1);
    } else {
      total += ((p.w[at + j] as number) * (l + 1)) / (z * (l - j));
    }
  }
  return total;
}

function recurse(
  tree: Tree,
  values: ArrayLike<number>,
  offset: number,
  phi: Float64Array,
  p: PathBuffers,
  parentAt: number,
  parentLen: number,
  node: number,
  pz: number,
  po: number,
  pi: number,
): void {
  // This level's path starts right after the parent's and begins as a copy of it.
  const at = parentAt + parentLen;
  p.d.copyWithin(at, parentAt, parentAt + parentLen);
  p.z.copyWithin(at, parentAt, parentAt + parentLen);
  p.o.copyWithin(at, parentAt, parentAt + parentLen);
  p.w.copyWithin(at, parentAt, parentAt + parentLen);
  extendPath(p, at, parentLen, pz, po, pi);
  let len = parentLen + 1;
  const f = tree.feature[node] as number;
  if (f < 0) {
    const v = tree.value[node] as number;
    for (let i = 1; i < len; i++) {
      const d = p.d[at + i] as number;
      phi[d] =
        (phi[d] as number) +
        unwoundSum(p, at, len, i) * ((p.o[at + i] as number) - (p.z[at + i] as number)) * v;
    }
    return;
  }
  const x = values[offset + f] as number;
  const goLeft = x <= (tree.threshold[node] as number) || x !== x;
  const hot = goLeft ? (tree.left[node] as number) : (tree.right[node] as number);
  const cold = goLeft ? (tree.right[node] as number) : (tree.left[node] as number);
  const cover = tree.cover[node] as number;
  let iz = 1;
  let io = 1;
  let k = 1;
  while (k < len && p.d[at + k] !== f) k++;
  if (k < len) {
    iz = p.z[at + k] as number;
    io = p.o[at + k] as number;
    unwindPath(p, at, len, k);
    len--;
  }
  recurse(
    tree,
    values,
    offset,
    phi,
    p,
    at,
    len,
    hot,
    (iz * (tree.cover[hot] as number)) / cover,
    io,
    f,
  );
  recurse(
    tree,
    values,
    offset,
    phi,
    p,
    at,
    len,
    cold,
    (iz * (tree.cover[cold] as number)) / cover,
    0,
    f,
  );
}

/**
 * Saabas attribution (the path method behind `treeinterpreter`): each split on the row's path
 * credits its feature with the change in cover-weighted expected value. Cheaper than TreeSHAP
 * (linear in depth) but not consistent; sums to the margin too.
 */
export function saabas(model: GbdtModel, values: ArrayLike<number>, offset = 0): Explanation {
  const phi = new Float64Array(model.featureCount);
  let bias = model.baseMargin;
  for (const tree of model.trees) {
    let n = 0;
    let e = expectedValue(tree, 0);
    bias += e;
    while ((tree.feature[n] as number) >= 0) {
      const f = tree.feature[n] as number;
      const x = values[offset + f] as number;
      n =
        x <= (tree.threshold[n] as number) || x !== x
          ? (tree.left[n] as number)
          : (tree.right[n] as number);
      const next = expectedValue(tree, n);
      phi[f] = (phi[f] as number) + next - e;
      e = next;
    }
  }
  return { bias, contributions: phi };
}
