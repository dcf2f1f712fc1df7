import type { GbdtModel, Tree } from './tree';

/** A generated function: adds its trees' leaves to out[o … o + n) for the n rows of block x. */
export type BlockScorer = (x: Float64Array, n: number, out: Float64Array, o: number) => void;

/**
 * Nodes per generated function. Side by side on the Fraud model (284 trees of 31 leaves, one
 * process, CPU time, best of 15 passes, six alternations; bench/targeting/scoring.ts), 8 trees
 * per function gave 3 % over the walk, 16 trees (≈ 1,000 nodes) 7 %, 24 trees 4 %, and 64 or all
 * 284 trees in one function ran 6–10× slower: V8 does not optimise a function that large.
 */
const GENERATED_NODES = 1000;
/** Deeper trees are walked instead (generation recurses once per level). */
const MAX_GENERATED_DEPTH = 48;

/**
 * Compiles the trees to JavaScript, as treelite compiles them to C (Cho and Li, "Treelite: toolbox
 * for decision tree deployment", SysML 2018): each tree becomes nested `if`s with its feature
 * indices and thresholds as literals, so a row's walk loads no node and the branch predictor
 * learns each split on its own. Trees are grouped, in order, into functions of at most
 * GENERATED_NODES nodes, each looping over a block of rows. The comparison is the walk's: a
 * missing value is −∞ in the block and goes left, as does a tie.
 *
 * Only numbers reach the source: every feature index must be an integer in range, every child
 * index an integer after its parent, every threshold and leaf value a JavaScript number, printed
 * by Number's own shortest round-trip conversion (−0 spelt out), so nothing else can be injected
 * whatever the model file held. Any other model, or a runtime that forbids code generation
 * (`--disallow-code-generation-from-strings`), gets null and is walked instead.
 */
export function generateScorers(model: GbdtModel): BlockScorer[] | null {
  const F = model.featureCount;
  if (!Number.isInteger(F) || F < 1 || typeof model.baseMargin !== 'number') return null;
  const literal = (x: unknown): string => {
    if (typeof x !== 'number') throw new RangeError('not a number');
    return Object.is(x, -0) ? '(-0)' : `(${String(x)})`;
  };
  const emit = (tree: Tree, n: number, depth: number, indent: string): string => {
    const f = tree.feature[n];
    if (depth > MAX_GENERATED_DEPTH) throw new RangeError('too deep');
    if (f === -1) return `${indent}s += ${literal(tree.value[n])};\n`;
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f >= F)
      throw new RangeError('bad feature');
    const size = tree.feature.length;
    const l = tree.left[n];
    const r = tree.right[n];
    const inside = (c: unknown): c is number =>
      typeof c === 'number' && Number.isInteger(c) && c > n && c < size;
    if (!inside(l) || !inside(r)) throw new RangeError('bad children');
    const deeper = indent + '  ';
    return (
      `${indent}if (x[b + ${f}] > ${literal(tree.threshold[n])}) {\n` +
      emit(tree, r, depth + 1, deeper) +
      `${indent}} else {\n` +
      emit(tree, l, depth + 1, deeper) +
      `${indent}}\n`
    );
  };
  try {
    const scorers: BlockScorer[] = [];
    let body = '';
    let nodes = 0;
    const flush = (): void => {
      if (nodes === 0) return;
      const loop =
        `for (let r = 0, b = 0; r < n; r++, b += ${F}) {\n  let s = out[o + r];\n` +
        `${body}  out[o + r] = s;\n}\n`;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- numbers only, see above
      scorers.push(new Function('x', 'n', 'out', 'o', loop) as BlockScorer);
      body = '';
      nodes = 0;
    };
    for (const tree of model.trees) {
      const size = tree.feature.length;
      if (size < 1) return null;
      if (nodes + size > GENERATED_NODES) flush();
      body += emit(tree, 0, 0, '  ');
      nodes += size;
    }
    flush();
    return scorers;
  } catch {
    return null;
  }
}
