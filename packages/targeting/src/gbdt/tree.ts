/**
 * A trained model as plain data: what training produces, a model file stores (validate.ts),
 * scoring compiles (scoring.ts) and the explanations walk (treeshap.ts).
 */

/**
 * One tree as parallel arrays. A node is a leaf when `feature[i] === -1`. Rows go left when the
 * value is `<= threshold` or missing (NaN). `cover` is the number of training rows that reached
 * the node (used by TreeSHAP to weigh the paths not taken).
 */
export interface Tree {
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
  readonly cover: number[];
}

export interface GbdtModel {
  readonly featureCount: number;
  readonly baseMargin: number;
  readonly trees: Tree[];
}

/** Depth of the subtree under node `n` (0 for a leaf). */
export function treeDepth(tree: Tree, n: number): number {
  if ((tree.feature[n] as number) < 0) return 0;
  return (
    1 + Math.max(treeDepth(tree, tree.left[n] as number), treeDepth(tree, tree.right[n] as number))
  );
}
