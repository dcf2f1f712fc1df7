import { createReadStream } from 'node:fs';
import { readCsv } from '@interdict/core';
import { sharedData } from '@interdict/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeclarations } from './declarations';
import { CompiledGbdt, type GbdtModel, type Tree } from './gbdt';
import { trainTargetingModel } from './model';

/** The reference: each row on its own, node by node (CompiledGbdt.margin). */
function rowByRow(c: CompiledGbdt, values: Float64Array, rows: number, width: number): number[] {
  return Array.from({ length: rows }, (_, r) => c.margin(values, r * width));
}

describe('fast scoring path', () => {
  it('gives bit-identical margins to the row-by-row reference on real KCS declarations', async () => {
    const read = async (name: string) =>
      (
        await parseDeclarations(
          readCsv(createReadStream(sharedData('customs-synthetic', 'kcs-2023-hs6', name))),
        )
      ).declarations;
    const train = (await read('df_syn_train_eng.csv')).filter((d) => d.date < '2020-04-01');
    const valid = (await read('df_syn_valid_eng.csv')).slice(0, 1500);
    for (const objective of ['fraud', 'critical'] as const) {
      const model = trainTargetingModel(train, { objective, gbdt: { rounds: 40 } });
      const m = model.features(valid);
      const width = m.names.length;
      expect(model.compiled.scoringPath).toBe('generated');
      const fast = Array.from(model.compiled.margins(m.values, m.rows));
      expect(fast).toEqual(rowByRow(model.compiled, m.values, m.rows, width));
      expect(Array.from(model.compiled.marginsWalk(m.values, m.rows))).toEqual(fast);
      expect(Array.from(model.compiled.marginsByNode(m.values, m.rows))).toEqual(fast);
      // Without generated code the model is walked, to the same margins.
      const walked = new CompiledGbdt(model.gbdt, { generate: false });
      expect(walked.scoringPath).toBe('walk');
      expect(Array.from(walked.margins(m.values, m.rows))).toEqual(fast);
    }
  });

  // Random trees (any shape up to depth 14, so both the padded and the node-by-node path run),
  // −∞ thresholds ("missing only"), missing values, ±∞ and ties with thresholds.
  const width = 4;
  const node = (depth: number): fc.Arbitrary<unknown> =>
    depth === 0
      ? fc.double({ noNaN: true, min: -2, max: 2 }).map((v) => ({ leaf: v }))
      : fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.double({ noNaN: true, min: -2, max: 2 }).map((v) => ({ leaf: v })),
          fc.record({
            f: fc.integer({ min: 0, max: width - 1 }),
            t: fc.oneof(fc.constant(-Infinity), fc.integer({ min: -3, max: 3 })),
            l: node(depth - 1),
            r: node(depth - 1),
          }),
        );
  function flatten(root: unknown): Tree {
    const t = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] } as {
      [K in keyof Tree]: number[];
    };
    const put = (n: unknown): number => {
      const i = t.feature.length;
      t.feature.push(-1);
      t.threshold.push(0);
      t.left.push(-1);
      t.right.push(-1);
      t.value.push(0);
      t.cover.push(1);
      const x = n as { leaf?: number; f: number; t: number; l: unknown; r: unknown };
      if (x.leaf !== undefined) t.value[i] = x.leaf;
      else {
        t.feature[i] = x.f;
        t.threshold[i] = x.t;
        t.left[i] = put(x.l);
        t.right[i] = put(x.r);
      }
      return i;
    };
    put(root);
    return t;
  }
  const cell = fc.oneof(
    fc.integer({ min: -4, max: 4 }),
    fc.double({ min: -4, max: 4 }),
    fc.constantFrom(NaN, Infinity, -Infinity),
  );

  it('equals the reference on random trees and rows', () => {
    fc.assert(
      fc.property(
        fc.array(node(14), { minLength: 1, maxLength: 6 }),
        fc.double({ noNaN: true, min: -1, max: 1 }),
        fc.array(fc.array(cell, { minLength: width, maxLength: width }), {
          minLength: 1,
          maxLength: 90,
        }),
        (trees, baseMargin, rows) => {
          const model: GbdtModel = { featureCount: width, baseMargin, trees: trees.map(flatten) };
          const c = new CompiledGbdt(model);
          const values = Float64Array.from(rows.flat());
          expect(c.scoringPath).toBe('generated');
          const fast = Array.from(c.margins(values, rows.length));
          expect(fast).toEqual(rowByRow(c, values, rows.length, width));
          expect(Array.from(c.marginsWalk(values, rows.length))).toEqual(fast);
          expect(Array.from(c.marginsByNode(values, rows.length))).toEqual(fast);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('spells −0 and ±∞ leaves and thresholds exactly in the generated code', () => {
    const tree: Tree = {
      feature: [0, -1, 1, -1, -1],
      threshold: [-Infinity, 0, -0, 0, 0],
      left: [1, -1, 3, -1, -1],
      right: [2, -1, 4, -1, -1],
      value: [0, -0, 0, Infinity, -Infinity],
      cover: [1, 1, 1, 1, 1],
    };
    const c = new CompiledGbdt({ featureCount: 2, baseMargin: -0, trees: [tree] });
    expect(c.scoringPath).toBe('generated');
    const rows = [
      [NaN, 0],
      [-Infinity, 1],
      [1, -0],
      [1, 0.5],
    ];
    const values = Float64Array.from(rows.flat());
    const fast = Array.from(c.margins(values, rows.length));
    // −0 + −0 stays −0: a leaf printed as "0" would have given +0.
    expect(Object.is(fast[0], -0)).toBe(true);
    expect(fast).toEqual([-0, -0, Infinity, -Infinity]);
    expect(fast).toEqual(rowByRow(c, values, rows.length, 2));
  });

  it('generates no code from a model that is not numbers only, and walks it instead', () => {
    const probe = globalThis as { injected?: unknown };
    const tree = (threshold: unknown, feature: unknown = 0): Tree =>
      ({
        feature: [feature, -1, -1],
        threshold: [threshold, 0, 0],
        left: [1, -1, -1],
        right: [2, -1, -1],
        value: [0, 1, 2],
        cover: [1, 1, 1],
      }) as Tree;
    for (const bad of [
      tree('0) { globalThis.injected = 1; } if (0'),
      tree(0, '0] + (globalThis.injected = 1) + x[0'),
      tree(0, 0.5),
      tree(0, 3),
    ]) {
      const c = new CompiledGbdt({ featureCount: 2, baseMargin: 0, trees: [bad] });
      expect(c.scoringPath).not.toBe('generated');
      c.margins(Float64Array.from([1, 1, -1, -1]), 2);
      expect(probe.injected).toBeUndefined();
    }
    // A model that qualifies is compiled.
    const ok = new CompiledGbdt({ featureCount: 2, baseMargin: 0, trees: [tree(0.5)] });
    expect(ok.scoringPath).toBe('generated');
    expect(Array.from(ok.margins(Float64Array.from([1, 0, 0, 0]), 2))).toEqual([2, 1]);
  });
});
