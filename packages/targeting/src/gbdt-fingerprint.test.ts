import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { refitGbdt, trainGbdt, type Dataset, type GbdtModel } from './gbdt';
import { trainTargetingModel } from './model';
import { Prng } from './prng';
import { randomDeclarations } from './test-fixtures';

/**
 * Training-speed work must not change the trained trees: these SHA-256 fingerprints of every
 * tree's arrays (IEEE-754 bits, so −∞, −0 and the last bit of a leaf value count) were computed
 * by running this file against the training code of "targeting: Critical Fraud model = 5 bagged
 * members refitted …" (a56846d; gbdt.ts and model.ts unchanged up to the commit that added this
 * file), before the four-rows-at-a-time histograms, histogram slots and per-leaf margin updates.
 * A change that alters any split, threshold, leaf value or cover changes a fingerprint. The KCS
 * models' fingerprints (bench/targeting/training.ts) were unchanged too: see docs/benchmarks.md.
 */
const EXPECTED = {
  plain: 'ffd1333070f796182bbd901b69817239ca4d170fb1aa5d123ed517147d267671',
  bagged: 'a59a1e26b92c4af03175cc121660de0979e04a2b7b51b80c924bc66ebd5168c6',
  refit: 'c1d918e21b1f8e0020648920f7331bdfb7ca445fbeb8cb84c562aa3aa31a598e',
  negativeInfinity: 'a5c97fd57479838c84727f1b7168cc37b7df6d0672fd469ba229f5c3c0c05c49',
  model: '631325b4385e789de1fc3a958297f634468d426d5645ae6781e2f19b07ae631a',
};

function fingerprint(model: GbdtModel): string {
  const hash = createHash('sha256');
  hash.update(Float64Array.of(model.featureCount, model.baseMargin, model.trees.length));
  for (const t of model.trees)
    for (const a of [t.feature, t.threshold, t.left, t.right, t.value, t.cover]) {
      hash.update(Float64Array.of(a.length));
      hash.update(Float64Array.from(a));
    }
  return hash.digest('hex');
}

/**
 * Deterministic rows mixing what binning meets on real data: continuous columns (more distinct
 * values than bins), small-integer columns (one bin per value), ~10 % missing values, soft
 * targets, and optionally −∞ (bin 1, yet `x <= −∞` on the raw value).
 */
function synthetic(seed: number, rows: number, negativeInfinity = false): Dataset {
  const F = 12;
  const prng = new Prng(seed);
  const values = new Float64Array(rows * F);
  const labels = new Uint8Array(rows);
  const targets = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      let v = f % 3 === 0 ? Math.floor(prng.next() * 6) : prng.next() * 10 - 5;
      if (prng.next() < 0.1) v = NaN;
      else if (negativeInfinity && f === 1 && prng.next() < 0.2) v = -Infinity;
      values[r * F + f] = v;
    }
    const x = (f: number) => {
      const v = values[r * F + f] as number;
      return v === v ? Math.max(v, -5) : 0;
    };
    const z = x(1) + 0.8 * x(2) - x(3) + 0.5 * x(4) * x(0) + (prng.next() - 0.5) * 6;
    labels[r] = z > 4 ? 1 : 0;
    targets[r] = labels[r] === 1 ? 1 : z > 2 ? 0.3 : 0;
  }
  return { values, rows, featureCount: F, labels, targets };
}

describe('trained trees are unchanged by training-speed work', () => {
  const train = synthetic(7, 3000);
  const valid = synthetic(8, 800);
  const params = { rounds: 60, earlyStoppingRounds: 10, subsample: 0.8, colsample: 0.7 };

  it('one model, early-stopped', () => {
    const { model } = trainGbdt(train, params, valid);
    expect(fingerprint(model)).toBe(EXPECTED.plain);
  });

  it('bagged members and their refit', () => {
    const stopped = trainGbdt(train, { ...params, bags: 3, seed: 11 }, valid);
    expect(fingerprint(stopped.model)).toBe(EXPECTED.bagged);
    // Refitted on other rows (as on fit + holdout), or it would repeat the members exactly.
    const refitted = refitGbdt(
      synthetic(12, 3800),
      { ...params, bags: 3, seed: 11 },
      stopped.members.map((m) => m.bestRound),
    );
    expect(fingerprint(refitted.model)).toBe(EXPECTED.refit);
  });

  it('with −∞ values and without row subsampling', () => {
    const withInf = synthetic(9, 3000, true);
    const { model } = trainGbdt(withInf, { ...params, subsample: 1 }, synthetic(10, 800, true));
    expect(fingerprint(model)).toBe(EXPECTED.negativeInfinity);
  });

  it('a bagged, refitted Critical Fraud targeting model', () => {
    const declarations = randomDeclarations(31, 1500, 90);
    const model = trainTargetingModel(declarations, { objective: 'critical' });
    expect(fingerprint(model.gbdt)).toBe(EXPECTED.model);
  });
});
