import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Declaration } from './declarations';
import {
  DEFAULT_FEATURE_CONFIG,
  History,
  buildScoringFeatures,
  buildTrainingFeatures,
  civilFromDays,
  featureNames,
  type FeatureConfig,
  type FeatureMatrix,
  type HistoryJson,
} from './features';
import { declaration, randomDeclarations } from './test-fixtures';

const temporal: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, trainingMode: 'temporal' };

function rowOf(m: FeatureMatrix, r: number): number[] {
  const w = m.names.length;
  return Array.from(m.values.subarray(r * w, (r + 1) * w));
}

/** Flips the inspection results of every declaration dated after `day`. */
function relabelAfter(ds: Declaration[], day: number, seed: number): Declaration[] {
  return ds.map((d, i) => {
    if (d.day <= day) return d;
    const fraud = (i * 7 + seed) % 3 === 0 ? 1 : 0;
    return { ...d, fraud, critical: fraud === 1 ? ((((i + seed) % 2) + 1) as 1 | 2) : 0 };
  });
}

describe('leakage', () => {
  it('changing labels dated after D changes no training feature dated D or earlier (temporal)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 29 }),
        fc.constantFrom<'fraud' | 'critical'>('fraud', 'critical'),
        (seed, cut, objective) => {
          const ds = randomDeclarations(seed, 120);
          const D = Math.min(...ds.map((d) => d.day)) + cut;
          const config = { ...temporal, objective };
          const a = buildTrainingFeatures(ds, config).matrix;
          const b = buildTrainingFeatures(relabelAfter(ds, D, seed), config).matrix;
          ds.forEach((d, r) => {
            if (d.day <= D) expect(rowOf(b, r)).toEqual(rowOf(a, r));
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('changing labels dated after D changes no scoring feature dated D or earlier (online)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 29 }),
        (seed, cut) => {
          const past = randomDeclarations(seed, 80);
          const batch = randomDeclarations(seed + 1, 80).map((d) => ({
            ...d,
            id: `B${d.id}`,
            day: d.day + 40,
          }));
          const D = Math.min(...batch.map((d) => d.day)) + cut;
          const score = (ds: Declaration[]) => {
            const history = buildTrainingFeatures(past, temporal).history;
            return buildScoringFeatures(ds, history, { online: { labels: true } });
          };
          const a = score(batch);
          const b = score(relabelAfter(batch, D, seed));
          batch.forEach((d, r) => {
            if (d.day <= D) expect(rowOf(b, r)).toEqual(rowOf(a, r));
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a declaration never sees labels of its own day (strictly earlier)', () => {
    const ds = randomDeclarations(3, 60, 3);
    const D = Math.min(...ds.map((d) => d.day));
    const a = buildTrainingFeatures(ds, temporal).matrix;
    const flipped = ds.map((d) =>
      d.day === D ? { ...d, fraud: (1 - (d.fraud ?? 0)) as 0 | 1, critical: 0 as const } : d,
    );
    const b = buildTrainingFeatures(flipped, temporal).matrix;
    ds.forEach((d, r) => {
      if (d.day === D) expect(rowOf(b, r)).toEqual(rowOf(a, r));
    });
    // …while the next day does see them (the test can fail).
    const later = ds.findIndex((d) => d.day > D);
    expect(rowOf(b, later)).not.toEqual(rowOf(a, later));
  });

  it('out-of-fold: a row’s own label never reaches its own features', () => {
    const ds = randomDeclarations(5, 200);
    const a = buildTrainingFeatures(ds, DEFAULT_FEATURE_CONFIG).matrix;
    for (const r of [0, 17, 133]) {
      const flipped = ds.map((d, i) =>
        i === r ? { ...d, fraud: (1 - (d.fraud ?? 0)) as 0 | 1, critical: 0 as const } : d,
      );
      const b = buildTrainingFeatures(flipped, DEFAULT_FEATURE_CONFIG).matrix;
      expect(rowOf(b, r)).toEqual(rowOf(a, r));
    }
  });

  it('the Critical Fraud column never reaches a Fraud model’s features', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom<'oof' | 'temporal'>('oof', 'temporal'),
        (seed, trainingMode) => {
          const ds = randomDeclarations(seed, 100);
          const scrambled = ds.map((d, i) => ({
            ...d,
            critical: ((i * 31 + seed) % 3) as 0 | 1 | 2,
          }));
          const config = { ...DEFAULT_FEATURE_CONFIG, objective: 'fraud' as const, trainingMode };
          const a = buildTrainingFeatures(ds, config);
          const b = buildTrainingFeatures(scrambled, config);
          expect(Array.from(b.matrix.values)).toEqual(Array.from(a.matrix.values));
          const later = randomDeclarations(seed + 9, 30).map((d) => ({ ...d, day: d.day + 60 }));
          const sa = buildScoringFeatures(later, a.history);
          const sb = buildScoringFeatures(
            later.map((d) => ({ ...d, critical: 2 as const })),
            b.history,
          );
          expect(Array.from(sb.values)).toEqual(Array.from(sa.values));
        },
      ),
      { numRuns: 20 },
    );
    expect(
      featureNames({ ...DEFAULT_FEATURE_CONFIG, objective: 'fraud' }).some((n) =>
        /critical/i.test(n),
      ),
    ).toBe(false);
    // The critical model does use it (so the check above can fail).
    expect(
      featureNames({ ...DEFAULT_FEATURE_CONFIG, objective: 'critical' }).some((n) =>
        /critical/i.test(n),
      ),
    ).toBe(true);
  });
});

describe('history features', () => {
  it('smooths rates towards the prior with a Beta prior of strength m', () => {
    const config = { ...DEFAULT_FEATURE_CONFIG, groupKey: false, priorStrength: 4 };
    const history = new History(config);
    // 8 past declarations of importer X: 6 frauds; 12 others, none fraud.
    for (let i = 0; i < 8; i++)
      history.add(
        declaration({ importer: 'X', fraud: i < 6 ? 1 : 0, critical: i < 6 ? 1 : 0 }),
        true,
      );
    for (let i = 0; i < 12; i++)
      history.add(declaration({ importer: `Y${i}`, fraud: 0, critical: 0 }), true);
    const m = buildScoringFeatures([declaration({ importer: 'X', date: '2020-02-01' })], history);
    const names = m.names;
    const prior = (6 + 1) / (20 + 2); // Laplace-smoothed global rate, as History.priorFraud.
    expect(m.values[names.indexOf('importer.count')]).toBe(8);
    expect(m.values[names.indexOf('importer.fraudRate')]).toBeCloseTo(
      (6 + 4 * prior) / (8 + 4),
      12,
    );
    // An unseen importer gets the prior itself.
    const u = buildScoringFeatures([declaration({ importer: 'NEW', date: '2020-02-01' })], history);
    expect(u.values[names.indexOf('importer.fraudRate')]).toBeCloseTo(prior, 12);
  });

  it('switches the group-key features off', () => {
    expect(
      featureNames({ ...DEFAULT_FEATURE_CONFIG, groupKey: true }).filter((n) =>
        n.startsWith('groupKey'),
      ),
    ).toHaveLength(2);
    expect(
      featureNames({ ...DEFAULT_FEATURE_CONFIG, groupKey: false }).some((n) =>
        n.startsWith('groupKey'),
      ),
    ).toBe(false);
  });

  it('places unit value against its HS subheading’s distribution', () => {
    const history = new History(DEFAULT_FEATURE_CONFIG);
    for (const price of [1000, 2000, 3000, 4000])
      history.add(declaration({ itemPrice: price, netMass: 1 }), true);
    const cheap = buildScoringFeatures([declaration({ itemPrice: 10, netMass: 1 })], history);
    const typical = buildScoringFeatures([declaration({ itemPrice: 2500, netMass: 1 })], history);
    const z = cheap.names.indexOf('unitValue.zInHs');
    expect(cheap.values[z]).toBeLessThan(-2);
    expect(Math.abs(typical.values[z] as number)).toBeLessThan(1);
  });

  it('clones the history: the clone scores alike and advancing it leaves the original alone', () => {
    const ds = randomDeclarations(13, 100);
    const { history } = buildTrainingFeatures(ds, DEFAULT_FEATURE_CONFIG);
    const later = randomDeclarations(14, 40).map((d) => ({ ...d, day: d.day + 50 }));
    const before = Array.from(buildScoringFeatures(later, history).values);
    const copy = history.clone();
    expect(Array.from(buildScoringFeatures(later, copy).values)).toEqual(before);
    for (const d of randomDeclarations(15, 60)) copy.add({ ...d, fraud: 1 }, true);
    expect(Array.from(buildScoringFeatures(later, history).values)).toEqual(before);
    expect(Array.from(buildScoringFeatures(later, copy).values)).not.toEqual(before);
  });

  it('round-trips the history through JSON', () => {
    const ds = randomDeclarations(11, 100);
    const { history } = buildTrainingFeatures(ds, DEFAULT_FEATURE_CONFIG);
    const copy = History.fromJSON(
      DEFAULT_FEATURE_CONFIG,
      JSON.parse(JSON.stringify(history.toJSON())) as HistoryJson,
    );
    const later = randomDeclarations(12, 40).map((d) => ({ ...d, day: d.day + 50 }));
    expect(Array.from(buildScoringFeatures(later, copy).values)).toEqual(
      Array.from(buildScoringFeatures(later, history).values),
    );
  });
});

describe('calendar features', () => {
  it('computes weekday, month and day of month as Date does, for any day', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (day) => {
        const date = new Date(day * 86_400_000);
        expect({ ...civilFromDays(day) }).toEqual({
          weekday: date.getUTCDay(),
          month: date.getUTCMonth() + 1,
          dayOfMonth: date.getUTCDate(),
        });
      }),
      { numRuns: 2000 },
    );
  });
});
