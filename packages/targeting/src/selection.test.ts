import { describe, expect, it } from 'vitest';
import { capacityFor, precisionRecallAt } from './metrics';
import { parseRules, selectForInspection } from './selection';
import { declaration } from './test-fixtures';

describe('precisionRecallAt', () => {
  it('counts hits among the top n%', () => {
    // 100 rows; scores descending by index; positives at ranks 0, 1, 3 and 50.
    const scores = Array.from({ length: 100 }, (_, i) => 100 - i);
    const labels = scores.map((_, i) => ([0, 1, 3, 50].includes(i) ? 1 : 0));
    const [p1, p2, p5] = precisionRecallAt(scores, labels, [1, 2, 5]);
    expect(p1).toMatchObject({ inspected: 1, precision: 1, recall: 0.25 });
    expect(p2).toMatchObject({ inspected: 2, precision: 1, recall: 0.5 });
    expect(p5).toMatchObject({ inspected: 5, precision: 3 / 5, recall: 0.75 });
  });

  it('breaks ties by input order, not by label', () => {
    const [r] = precisionRecallAt([1, 1, 1, 1], [0, 0, 0, 1], [25]);
    expect(r?.precision).toBe(0);
    expect(capacityFor(8134, 5)).toBe(407);
  });
});

describe('selectForInspection', () => {
  const day = Array.from({ length: 200 }, (_, i) =>
    declaration({
      id: `D${i}`,
      hsCode: i === 150 ? '293339' : '440890',
      origin: i === 150 ? 'CO' : 'BE',
      date: '2021-01-04',
    }),
  );
  const scores = day.map((_, i) => 1 - i / 200);

  it('fills the capacity with top scores and a reserved random share', () => {
    const picked = selectForInspection(day, scores, {
      capacity: { percent: 10 },
      randomShare: 0.2,
      seed: 7,
    });
    const inspected = picked.filter((p) => p.inspect);
    expect(inspected).toHaveLength(20);
    expect(inspected.filter((p) => p.selectedBy === 'model').map((p) => p.index)).toEqual(
      Array.from({ length: 16 }, (_, i) => i),
    );
    const random = inspected.filter((p) => p.selectedBy === 'random');
    expect(random).toHaveLength(4);
    expect(random.every((p) => p.index >= 16)).toBe(true);
    expect(inspected.every((p) => p.lane === 'red')).toBe(true);
    // A different seed draws different random picks; the same seed the same.
    const again = selectForInspection(day, scores, {
      capacity: { percent: 10 },
      randomShare: 0.2,
      seed: 7,
    });
    expect(again).toEqual(picked);
    const other = selectForInspection(day, scores, {
      capacity: { percent: 10 },
      randomShare: 0.2,
      seed: 8,
    });
    expect(other.filter((p) => p.selectedBy === 'random').map((p) => p.index)).not.toEqual(
      random.map((p) => p.index),
    );
  });

  it('applies officer rules within their validity dates, with their explanation', () => {
    const rules = parseRules([
      {
        id: 'r1',
        lane: 'red',
        hsPrefix: '2933',
        origin: 'CO',
        validFrom: '2021-01-01',
        validTo: '2021-03-31',
        explanation: 'precursor alert',
      },
      { id: 'r2', lane: 'red', hsPrefix: '4408', validTo: '2020-12-31', explanation: 'expired' },
    ]);
    const picked = selectForInspection(day, scores, {
      capacity: { count: 5 },
      randomShare: 0,
      rules,
    });
    const hit = picked[150];
    expect(hit).toMatchObject({
      lane: 'red',
      inspect: true,
      selectedBy: 'rule',
      ruleReasons: ['precursor alert'],
    });
    expect(picked.filter((p) => p.inspect)).toHaveLength(5);
    expect(picked.some((p) => p.ruleReasons.includes('expired'))).toBe(false);
  });

  it('bands the rest by score', () => {
    const picked = selectForInspection(day, scores, {
      capacity: { count: 0 },
      bands: { yellow: 0.9, blue: 0.5 },
    });
    expect(picked[0]?.lane).toBe('yellow');
    expect(picked[60]?.lane).toBe('blue');
    expect(picked[199]?.lane).toBe('green');
  });

  it('refuses malformed rules', () => {
    expect(() => parseRules([{ lane: 'purple', explanation: 'x' }])).toThrow(/lane/);
    expect(() => parseRules([{ lane: 'red' }])).toThrow(/explanation/);
    expect(() => parseRules([{ lane: 'red', explanation: 'x', validFrom: '1/1/2021' }])).toThrow(
      /validFrom/,
    );
  });
});
