import { TargetingError } from '../errors';
import type { GbdtModel, Tree } from './tree';

/**
 * A model file is input like any other: its trees are checked before anything walks or compiles
 * them (see the comments below for the shapes that would hang or mislead a walk).
 */

/** Checks a parsed model object's shape (used when loading a model file). */
export function validateGbdtModel(value: unknown, featureCount: number): GbdtModel {
  const fail = (what: string): never => {
    throw new TargetingError('MODEL_MALFORMED', `malformed model: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('gbdt is not an object');
  const v = value as Record<string, unknown>;
  if (v.featureCount !== featureCount) fail('gbdt feature count differs from the schema');
  if (typeof v.baseMargin !== 'number') fail('baseMargin is not a number');
  if (!Array.isArray(v.trees)) return fail('trees is not an array');
  v.trees.forEach((t: unknown, k) => {
    const tree = t as Record<string, unknown>;
    const keys = ['feature', 'threshold', 'left', 'right', 'value', 'cover'] as const;
    for (const key of keys) if (!Array.isArray(tree[key])) fail(`tree ${k} lacks ${key}`);
    const size = (tree.feature as unknown[]).length;
    for (const key of keys)
      if ((tree[key] as unknown[]).length !== size) fail(`tree ${k}: ${key} has the wrong length`);
    // Each node is the child of at most one parent: a file whose nodes share children (a DAG)
    // passes "children after their parent", yet every recursive walk over it (treeDepth, TreeSHAP,
    // generateScorers) visits a shared node once per path, 2^depth times, and hangs.
    const claimed = new Uint8Array(size);
    (tree.feature as unknown[]).forEach((f, n) => {
      if (typeof f !== 'number' || !Number.isInteger(f) || f < -1 || f >= featureCount)
        fail(`tree ${k} node ${n}: bad feature`);
      if (f !== -1) {
        const l = (tree.left as unknown[])[n];
        const r = (tree.right as unknown[])[n];
        const child = (c: unknown): c is number =>
          typeof c === 'number' && Number.isInteger(c) && c > n && c < size;
        if (!child(l) || !child(r) || l === r || claimed[l] || claimed[r])
          fail(`tree ${k} node ${n}: bad children`);
        claimed[l as number] = 1;
        claimed[r as number] = 1;
      }
    });
  });
  // JSON has no -Infinity: thresholds are stored as null for "missing only".
  const trees = (v.trees as Tree[]).map((t) => ({
    ...t,
    threshold: t.threshold.map((x) => (x === null ? -Infinity : x)),
  }));
  return { featureCount, baseMargin: v.baseMargin as number, trees };
}
