import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompiledGbdt,
  auc,
  memberSeed,
  refitGbdt,
  saabas,
  trainGbdt,
  treeShap,
  validateGbdtModel,
  type Dataset,
  type GbdtModel,
  type Tree,
} from './gbdt';
import { Prng } from './prng';

/** Rows of `width` uniform features; the label is `rule(row)`. */
function synthetic(
  seed: number,
  rows: number,
  width: number,
  rule: (x: number[]) => boolean,
): Dataset {
  const prng = new Prng(seed);
  const values = new Float64Array(rows * width);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const x: number[] = [];
    for (let f = 0; f < width; f++) x.push(prng.next());
    values.set(x, r * width);
    labels[r] = rule(x) ? 1 : 0;
  }
  return { values, rows, featureCount: width, labels };
}

/** Sum of leaf values by walking the original (unflattened) trees. */
function walk(model: GbdtModel, x: ArrayLike<number>): number {
  let sum = model.baseMargin;
  for (const t of model.trees) {
    let n = 0;
    while ((t.feature[n] as number) >= 0) {
      const v = x[t.feature[n] as number] as number;
      n =
        v <= (t.threshold[n] as number) || Number.isNaN(v)
          ? (t.left[n] as number)
          : (t.right[n] as number);
    }
    sum += t.value[n] as number;
  }
  return sum;
}

/** E[tree(x) | x_S] with covers as the background (the value function TreeSHAP explains). */
function conditional(t: Tree, x: ArrayLike<number>, S: Set<number>, n = 0): number {
  const f = t.feature[n] as number;
  if (f < 0) return t.value[n] as number;
  const l = t.left[n] as number;
  const r = t.right[n] as number;
  if (S.has(f)) {
    const v = x[f] as number;
    return conditional(t, x, S, v <= (t.threshold[n] as number) || Number.isNaN(v) ? l : r);
  }
  const c = t.cover[n] as number;
  return (
    ((t.cover[l] as number) * conditional(t, x, S, l) +
      (t.cover[r] as number) * conditional(t, x, S, r)) /
    c
  );
}

/** Shapley values by enumerating all subsets (exponential; fine for 4 features). */
function bruteShapley(model: GbdtModel, x: ArrayLike<number>): number[] {
  const M = model.featureCount;
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const v = (S: Set<number>) => model.trees.reduce((s, t) => s + conditional(t, x, S), 0);
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      const S = new Set<number>();
      for (let j = 0; j < M; j++) if (mask & (1 << j)) S.add(j);
      const w = (fact(S.size) * fact(M - S.size - 1)) / fact(M);
      const withI = new Set(S).add(i);
      phi[i] = (phi[i] as number) + w * (v(withI) - v(S));
    }
  }
  return phi;
}

describe('trainGbdt', () => {
  it('learns an exactly separable rule', () => {
    const rule = (x: number[]) => (x[0] as number) > 0.3 && (x[2] as number) < 0.6;
    const train = synthetic(1, 2000, 4, rule);
    const test = synthetic(2, 1000, 4, rule);
    const { model } = trainGbdt(train, {
      rounds: 60,
      subsample: 1,
      colsample: 1,
      learningRate: 0.3,
    });
    const compiled = new CompiledGbdt(model);
    const margins = compiled.margins(test.values, test.rows);
    let errors = 0;
    for (let r = 0; r < test.rows; r++)
      if ((margins[r] as number) > 0 !== (test.labels[r] === 1)) errors++;
    // Only points within a bin width of the boundaries can be misplaced.
    expect(errors / test.rows).toBeLessThan(0.01);
    expect(auc(margins, test.labels)).toBeGreaterThan(0.999);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const data = synthetic(3, 800, 5, (x) => (x[1] as number) + (x[3] as number) > 1);
    const params = { rounds: 20, subsample: 0.7, colsample: 0.6, seed: 42 };
    const a = trainGbdt(data, params).model;
    const b = trainGbdt(data, params).model;
    const c = trainGbdt(data, { ...params, seed: 43 }).model;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('stops early on a validation set and keeps the best round', () => {
    // Labels are pure noise: validation loss cannot keep improving.
    const prng = new Prng(9);
    const noisy = (seed: number) => {
      const d = synthetic(seed, 600, 3, () => false);
      d.labels.forEach((_, i) => (d.labels[i] = prng.next() < 0.5 ? 1 : 0));
      return d;
    };
    const res = trainGbdt(
      noisy(4),
      { rounds: 300, earlyStoppingRounds: 10, learningRate: 0.3 },
      noisy(5),
    );
    expect(res.roundsRun).toBeLessThan(300);
    expect(res.model.trees).toHaveLength(res.bestRound);
    expect(res.roundsRun - res.bestRound).toBe(10);
    const best = Math.min(...res.validationCurve);
    expect(res.validationCurve[res.bestRound - 1]).toBe(best);
  });

  it('weights positives (class weighting raises their scores)', () => {
    const data = synthetic(6, 1000, 3, (x) => (x[0] as number) > 0.9);
    const plain = new CompiledGbdt(trainGbdt(data, { rounds: 10 }).model);
    const weighted = new CompiledGbdt(trainGbdt(data, { rounds: 10, positiveWeight: 10 }).model);
    const mean = (m: Float64Array) => m.reduce((s, v) => s + v, 0) / m.length;
    expect(mean(weighted.margins(data.values, data.rows))).toBeGreaterThan(
      mean(plain.margins(data.values, data.rows)),
    );
  });

  it('treats NaN as missing, the same way in training walks and compiled scoring', () => {
    const data = synthetic(7, 1000, 3, (x) => (x[0] as number) > 0.5);
    for (let r = 0; r < data.rows; r += 7) data.values[r * 3] = NaN;
    const { model } = trainGbdt(data, { rounds: 15 });
    const compiled = new CompiledGbdt(model);
    const m = compiled.margins(data.values, data.rows);
    for (let r = 0; r < data.rows; r++) {
      const x = data.values.subarray(r * 3, r * 3 + 3);
      expect(m[r]).toBeCloseTo(walk(model, x), 10);
      expect(compiled.margin(data.values, r * 3)).toBeCloseTo(walk(model, x), 10);
    }
  });

  it('refuses invalid parameters', () => {
    const data = synthetic(8, 10, 2, () => true);
    expect(() => trainGbdt(data, { minChildWeight: 0 })).toThrow(/minChildWeight/);
    expect(() => trainGbdt(data, { subsample: 1.5 })).toThrow(/subsample/);
    expect(() => trainGbdt(data, { bags: 0 })).toThrow(/bags/);
    expect(() => trainGbdt(data, { bags: 1.5 })).toThrow(/bags/);
  });

  it('uses soft targets for the gradients when given', () => {
    const data = synthetic(11, 600, 3, (x) => (x[0] as number) > 0.7);
    const hard = trainGbdt(data, { rounds: 10 }).model;
    const same = trainGbdt(
      { ...data, targets: Float64Array.from(data.labels) },
      { rounds: 10 },
    ).model;
    expect(JSON.stringify(same)).toBe(JSON.stringify(hard));
    // Half of every negative above 0.5 on feature 1 made a partial positive: scores rise there.
    const targets = Float64Array.from(data.labels, (y, r) =>
      y === 0 && (data.values[r * 3 + 1] as number) > 0.5 ? 0.5 : y,
    );
    const soft = new CompiledGbdt(trainGbdt({ ...data, targets }, { rounds: 10 }).model);
    const plain = new CompiledGbdt(hard);
    const row = Float64Array.of(0.1, 0.9, 0.5);
    expect(soft.margin(row, 0)).toBeGreaterThan(plain.margin(row, 0));
  });
});

describe('bagging', () => {
  const data = synthetic(12, 900, 4, (x) => (x[0] as number) + (x[2] as number) > 1.2);
  const valid = synthetic(13, 300, 4, (x) => (x[0] as number) + (x[2] as number) > 1.2);
  const params = { rounds: 40, subsample: 0.7, colsample: 0.75, seed: 5, earlyStoppingRounds: 5 };
  const bagged = trainGbdt(data, { ...params, bags: 3 }, valid);
  const members = [0, 1, 2].map(
    (k) => trainGbdt(data, { ...params, seed: memberSeed(params.seed, k) }, valid).model,
  );

  it('is the average, in log-odds, of members trained with their own seeds and early stopping', () => {
    expect(bagged.members).toHaveLength(3);
    expect(bagged.members.map((m) => m.bestRound)).toEqual(members.map((m) => m.trees.length));
    expect(bagged.model.trees).toHaveLength(bagged.bestRound);
    const compiled = new CompiledGbdt(bagged.model);
    const parts = members.map((m) => new CompiledGbdt(m).margins(valid.values, valid.rows));
    const margins = compiled.margins(valid.values, valid.rows);
    for (let r = 0; r < valid.rows; r++) {
      const mean = parts.reduce((s, p) => s + (p[r] as number), 0) / parts.length;
      expect(margins[r]).toBeCloseTo(mean, 10);
    }
    // The members really differ (else averaging would be pointless).
    expect(JSON.stringify(members[1])).not.toBe(JSON.stringify(members[0]));
  });

  it('is deterministic for a seed, and one bag is the plain model', () => {
    const again = trainGbdt(data, { ...params, bags: 3 }, valid);
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(bagged.model));
    const one = trainGbdt(data, { ...params, bags: 1 }, valid).model;
    expect(JSON.stringify(one)).toBe(JSON.stringify(members[0]));
  });

  it('refits each member with its own seed and round count, without a validation set', () => {
    const rounds = bagged.members.map((m) => m.bestRound);
    const all = synthetic(14, 1200, 4, (x) => (x[0] as number) + (x[2] as number) > 1.2);
    const refit = refitGbdt(all, { ...params, bags: 3 }, rounds);
    expect(refit.model.trees).toHaveLength(rounds.reduce((a, b) => a + b, 0));
    const alone = rounds.map((n, k) =>
      new CompiledGbdt(
        trainGbdt(all, { ...params, seed: memberSeed(params.seed, k), rounds: n }).model,
      ).margins(valid.values, valid.rows),
    );
    const m = new CompiledGbdt(refit.model).margins(valid.values, valid.rows);
    for (let r = 0; r < valid.rows; r += 7)
      expect(m[r]).toBeCloseTo(alone.reduce((s, p) => s + (p[r] as number), 0) / 3, 10);
    expect(() => refitGbdt(all, { ...params, bags: 3 }, [5, 5])).toThrow(/round count/);
  });

  it('explains with the average of the members’ TreeSHAP values, summing to the margin', () => {
    const compiled = new CompiledGbdt(bagged.model);
    for (const r of [0, 17, 250]) {
      const e = treeShap(bagged.model, valid.values, r * 4);
      const total = e.bias + e.contributions.reduce((s, v) => s + v, 0);
      expect(total).toBeCloseTo(compiled.margin(valid.values, r * 4), 9);
      const each = members.map((m) => treeShap(m, valid.values, r * 4));
      e.contributions.forEach((c, f) => {
        const mean = each.reduce((s, x) => s + (x.contributions[f] as number), 0) / each.length;
        expect(c).toBeCloseTo(mean, 10);
      });
    }
  });
});

describe('explanations', () => {
  const data = synthetic(
    10,
    1500,
    4,
    (x) => (x[0] as number) > 0.5 !== (x[1] as number) > 0.4 || (x[3] as number) > 0.9,
  );
  const { model } = trainGbdt(data, { rounds: 25, maxLeaves: 8, subsample: 0.8 });
  const compiled = new CompiledGbdt(model);

  it('TreeSHAP contributions sum to the margin', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: data.rows - 1 }), (r) => {
        const e = treeShap(model, data.values, r * 4);
        const total = e.bias + e.contributions.reduce((s, v) => s + v, 0);
        expect(total).toBeCloseTo(compiled.margin(data.values, r * 4), 9);
      }),
      { numRuns: 50 },
    );
  });

  it('TreeSHAP equals Shapley values computed by enumerating every subset', () => {
    for (const r of [0, 5, 99, 777]) {
      const x = data.values.subarray(r * 4, r * 4 + 4);
      const e = treeShap(model, x);
      const brute = bruteShapley(model, x);
      brute.forEach((v, i) => expect(e.contributions[i]).toBeCloseTo(v, 9));
    }
  });

  it('Saabas contributions sum to the margin too, and ignore an unused feature', () => {
    const e = saabas(model, data.values, 12);
    expect(e.bias + e.contributions.reduce((s, v) => s + v, 0)).toBeCloseTo(
      compiled.margin(data.values, 12),
      9,
    );
    const used = new Set(model.trees.flatMap((t) => t.feature.filter((f) => f >= 0)));
    if (!used.has(2)) expect(e.contributions[2]).toBe(0);
  });
});

describe('validateGbdtModel', () => {
  /** A model file's gbdt: one tree whose node n (of `depth`) sends both ways to node n + 1. */
  function chain(depth: number, children: (n: number) => [unknown, unknown]): unknown {
    const size = depth + 1;
    const internal = (n: number): boolean => n < depth;
    return {
      featureCount: 1,
      baseMargin: 0,
      trees: [
        {
          feature: Array.from({ length: size }, (_, n) => (internal(n) ? 0 : -1)),
          threshold: Array.from({ length: size }, () => 0.5),
          left: Array.from({ length: size }, (_, n) => (internal(n) ? children(n)[0] : -1)),
          right: Array.from({ length: size }, (_, n) => (internal(n) ? children(n)[1] : -1)),
          value: Array.from({ length: size }, () => 1),
          cover: Array.from({ length: size }, () => 1),
        },
      ],
    };
  }

  it('refuses a tree whose nodes share a child (a DAG: 2^depth paths, every walk would hang)', () => {
    expect(() =>
      validateGbdtModel(
        chain(40, (n) => [n + 1, n + 1]),
        1,
      ),
    ).toThrow(/node 0: bad children/);
  });

  it('refuses a child claimed by two parents and a fractional child or feature', () => {
    const shared = {
      featureCount: 1,
      baseMargin: 0,
      trees: [
        {
          feature: [0, 0, -1, -1],
          threshold: [0, 0, 0, 0],
          left: [1, 2, -1, -1],
          right: [2, 3, -1, -1],
          value: [0, 0, 1, 2],
          cover: [1, 1, 1, 1],
        },
      ],
    };
    expect(() => validateGbdtModel(shared, 1)).toThrow(/node 1: bad children/);
    expect(() =>
      validateGbdtModel(
        chain(1, () => [0.5, 1]),
        1,
      ),
    ).toThrow(/bad children/);
    const fractional = chain(1, () => [1, 1]) as { trees: { feature: number[] }[] };
    fractional.trees[0]!.feature[0] = 0.5;
    expect(() => validateGbdtModel(fractional, 1)).toThrow(/bad feature/);
  });

  it('accepts a proper tree, and a trained model as it is stored', () => {
    const tree = {
      featureCount: 1,
      baseMargin: 0,
      trees: [
        {
          feature: [0, -1, 0, -1, -1],
          threshold: [0.5, 0, null, 0, 0],
          left: [1, -1, 3, -1, -1],
          right: [2, -1, 4, -1, -1],
          value: [0, 1, 0, 2, 3],
          cover: [1, 1, 1, 1, 1],
        },
      ],
    };
    const model = validateGbdtModel(tree, 1);
    expect(model.trees[0]!.threshold[2]).toBe(-Infinity);
    const trained = trainGbdt(
      synthetic(3, 300, 4, (x) => (x[0] as number) > 0.5),
      {
        rounds: 5,
      },
    ).model;
    const stored = JSON.parse(JSON.stringify(trained)) as unknown;
    expect(validateGbdtModel(stored, 4).trees).toHaveLength(trained.trees.length);
  });
});
