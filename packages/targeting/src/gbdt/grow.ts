import type { Binning } from './binning';
import type { GbdtParams } from './params';
import type { Tree } from './tree';

/**
 * Growing one tree of a boosting round, best-first (leaf-wise) on histograms of the rows'
 * gradients and hessians, with histogram subtraction (Ke et al., "LightGBM", NeurIPS 2017, §2)
 * and the second-order gain and leaf weights of Chen and Guestrin ("XGBoost", KDD 2016, §2.2,
 * eq. 6–7). The boosting loop around it is train.ts.
 */

interface Split {
  gain: number;
  feature: number;
  bin: number;
  gLeft: number;
  hLeft: number;
}

/** A leaf of the growing tree: its rows are `index[start … end)`, its histogram `hist`. */
export interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array;
  split: Split | null;
}

/**
 * Grows one tree on the `m` rows listed in `index` (reordered in place so each leaf's rows are
 * contiguous), over the columns in `features`. Returns the tree, its leaves (train.ts adds each
 * leaf's value to its rows' margins without a walk) and, per split node, the last histogram slot
 * it sends left (for leafValueBinned).
 */
export function growTree(
  p: GbdtParams,
  F: number,
  slots: Uint16Array,
  binning: Binning,
  grad: Float64Array,
  hess: Float64Array,
  index: Uint32Array,
  scratch: Uint32Array,
  m: number,
  features: Int32Array,
  takeHist: () => Float64Array,
  pool: Float64Array[],
): { tree: Tree; leaves: Leaf[]; splitSlot: number[] } {
  // Per node, the last slot (see Binning.slots) its split sends left (a leaf's entry is unused).
  const splitSlot: number[] = [];
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] };
  const newNode = (): number => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    tree.cover.push(0);
    return tree.feature.length - 1;
  };
  const lambda = p.lambda;

  const { binCount, histOffset } = binning;
  // Row by row, four rows at a time: the inner loop then makes four independent additions per
  // feature, which overlap, where one row at a time waits on the previous row's store whenever
  // two rows share a bin. Every (feature, bin) cell still receives its rows' gradients in row
  // order, so the sums are the same to the last bit as one row at a time.
  const buildHist = (hist: Float64Array, start: number, end: number): void => {
    const nf = features.length;
    for (let k = 0; k < nf; k++) {
      const off = histOffset[features[k] as number] as number;
      hist.fill(0, off, off + 2 * (binCount[features[k] as number] as number));
    }
    let i = start;
    for (; i + 3 < end; i += 4) {
      const r1 = index[i] as number;
      const r2 = index[i + 1] as number;
      const r3 = index[i + 2] as number;
      const r4 = index[i + 3] as number;
      const g1 = grad[r1] as number;
      const h1 = hess[r1] as number;
      const g2 = grad[r2] as number;
      const h2 = hess[r2] as number;
      const g3 = grad[r3] as number;
      const h3 = hess[r3] as number;
      const g4 = grad[r4] as number;
      const h4 = hess[r4] as number;
      const b1 = r1 * F;
      const b2 = r2 * F;
      const b3 = r3 * F;
      const b4 = r4 * F;
      for (let k = 0; k < nf; k++) {
        const f = features[k] as number;
        const o1 = 2 * (slots[b1 + f] as number);
        hist[o1] = (hist[o1] as number) + g1;
        hist[o1 + 1] = (hist[o1 + 1] as number) + h1;
        const o2 = 2 * (slots[b2 + f] as number);
        hist[o2] = (hist[o2] as number) + g2;
        hist[o2 + 1] = (hist[o2 + 1] as number) + h2;
        const o3 = 2 * (slots[b3 + f] as number);
        hist[o3] = (hist[o3] as number) + g3;
        hist[o3 + 1] = (hist[o3 + 1] as number) + h3;
        const o4 = 2 * (slots[b4 + f] as number);
        hist[o4] = (hist[o4] as number) + g4;
        hist[o4 + 1] = (hist[o4 + 1] as number) + h4;
      }
    }
    for (; i < end; i++) {
      const r = index[i] as number;
      const g = grad[r] as number;
      const h = hess[r] as number;
      const base = r * F;
      for (let k = 0; k < nf; k++) {
        const f = features[k] as number;
        const o = 2 * (slots[base + f] as number);
        hist[o] = (hist[o] as number) + g;
        hist[o + 1] = (hist[o + 1] as number) + h;
      }
    }
  };

  const findSplit = (leaf: Leaf): void => {
    leaf.split = null;
    if (leaf.depth >= p.maxDepth || leaf.end - leaf.start < 2) return;
    const G = leaf.g;
    const H = leaf.h;
    const parentScore = (G * G) / (H + lambda);
    const minChild = p.minChildWeight;
    let bestGain = p.minSplitGain;
    let bestFeature = -1;
    let bestBin = 0;
    let bestG = 0;
    let bestH = 0;
    const hist = leaf.hist;
    for (let k = 0; k < features.length; k++) {
      const f = features[k] as number;
      const nb = binCount[f] as number;
      let gl = 0;
      let hl = 0;
      const base = histOffset[f] as number;
      for (let b = 0; b < nb - 1; b++) {
        gl += hist[base + 2 * b] as number;
        hl += hist[base + 2 * b + 1] as number;
        if (hl < minChild) continue;
        const hr = H - hl;
        if (hr < minChild) break;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
          bestG = gl;
          bestH = hl;
        }
      }
    }
    leaf.split =
      bestFeature < 0
        ? null
        : { gain: bestGain, feature: bestFeature, bin: bestBin, gLeft: bestG, hLeft: bestH };
  };

  const root = newNode();
  let G = 0;
  let H = 0;
  for (let i = 0; i < m; i++) {
    G += grad[index[i] as number] as number;
    H += hess[index[i] as number] as number;
  }
  const rootHist = takeHist();
  buildHist(rootHist, 0, m);
  const leaves: Leaf[] = [
    { node: root, start: 0, end: m, depth: 0, g: G, h: H, hist: rootHist, split: null },
  ];
  findSplit(leaves[0] as Leaf);

  while (leaves.length < p.maxLeaves) {
    let pick = -1;
    let pickGain = -Infinity;
    for (let i = 0; i < leaves.length; i++) {
      const s = (leaves[i] as Leaf).split;
      if (s && s.gain > pickGain) {
        pickGain = s.gain;
        pick = i;
      }
    }
    if (pick < 0) break;
    const leaf = leaves[pick] as Leaf;
    const split = leaf.split as Split;
    // Partition the leaf's rows: bin <= split.bin goes left (bin 0, missing, always left).
    let nl = 0;
    let nr = 0;
    const column = binning.byFeature.subarray(split.feature * (slots.length / F));
    const splitAt = split.bin;
    for (let i = leaf.start; i < leaf.end; i++) {
      const r = index[i] as number;
      if ((column[r] as number) <= splitAt) index[leaf.start + nl++] = r;
      else scratch[nr++] = r;
    }
    index.set(scratch.subarray(0, nr), leaf.start + nl);
    const mid = leaf.start + nl;

    const node = leaf.node;
    const l = newNode();
    const r = newNode();
    tree.feature[node] = split.feature;
    splitSlot[node] = (histOffset[split.feature] as number) / 2 + split.bin;
    tree.threshold[node] =
      split.bin === 0
        ? -Infinity
        : ((binning.edges[split.feature] as Float64Array)[split.bin - 1] as number);
    tree.left[node] = l;
    tree.right[node] = r;

    const leftLeaf: Leaf = {
      node: l,
      start: leaf.start,
      end: mid,
      depth: leaf.depth + 1,
      g: split.gLeft,
      h: split.hLeft,
      hist: leaf.hist,
      split: null,
    };
    const rightLeaf: Leaf = {
      node: r,
      start: mid,
      end: leaf.end,
      depth: leaf.depth + 1,
      g: leaf.g - split.gLeft,
      h: leaf.h - split.hLeft,
      hist: leaf.hist,
      split: null,
    };
    // Histogram subtraction: scan the smaller child, derive the larger from the parent.
    const [small, large] = nl <= nr ? [leftLeaf, rightLeaf] : [rightLeaf, leftLeaf];
    const smallHist = takeHist();
    buildHist(smallHist, small.start, small.end);
    const parentHist = leaf.hist;
    for (let k = 0; k < features.length; k++) {
      const f = features[k] as number;
      const base = histOffset[f] as number;
      const len = 2 * (binCount[f] as number);
      for (let b = base; b < base + len; b++)
        parentHist[b] = (parentHist[b] as number) - (smallHist[b] as number);
    }
    small.hist = smallHist;
    large.hist = parentHist;
    findSplit(leftLeaf);
    findSplit(rightLeaf);
    leaves.splice(pick, 1, leftLeaf, rightLeaf);
  }
  for (const leaf of leaves) {
    tree.value[leaf.node] = (-leaf.g / (leaf.h + lambda)) * p.learningRate;
    pool.push(leaf.hist);
  }
  // Covers: rows that reached each node (leaves from their ranges, inner nodes summed).
  for (const leaf of leaves) tree.cover[leaf.node] = leaf.end - leaf.start;
  for (let n = tree.feature.length - 1; n >= 0; n--) {
    if (tree.feature[n] !== -1)
      tree.cover[n] =
        (tree.cover[tree.left[n] as number] as number) +
        (tree.cover[tree.right[n] as number] as number);
  }
  return { tree, leaves, splitSlot };
}

/** The leaf value a training row reaches, walking its bins rather than its values. */
export function leafValueBinned(
  tree: Tree,
  splitSlot: readonly number[],
  slots: Uint16Array,
  offset: number,
): number {
  let n = 0;
  for (;;) {
    const f = tree.feature[n] as number;
    if (f < 0) return tree.value[n] as number;
    n =
      (slots[offset + f] as number) <= (splitSlot[n] as number)
        ? (tree.left[n] as number)
        : (tree.right[n] as number);
  }
}
