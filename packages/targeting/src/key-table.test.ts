import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRITICAL, Counts, N, TupleTable } from './key-table';

describe('TupleTable', () => {
  it('finds each tuple’s value as a Map of joined keys does, through growth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 5 }), {
          maxLength: 400,
        }),
        (width, keys) => {
          const table = new TupleTable(width);
          const reference = new Map<string, number>();
          for (const k of keys) {
            const key = Int32Array.from(k.slice(0, width));
            const joined = [...key].join(',');
            expect(table.find(key)).toBe(reference.get(joined) ?? -1);
            if (!reference.has(joined)) {
              // Values need not be dense: store 3·(order of arrival) + 1.
              reference.set(joined, 3 * reference.size + 1);
              table.add(key, 3 * table.size + 1);
            }
          }
          expect(table.size).toBe(reference.size);
          for (const [joined, slot] of reference) {
            const key = Int32Array.from(joined.split(','), Number);
            expect(table.find(key)).toBe(slot);
            if (width === 2) expect(table.find2(key[0] as number, key[1] as number)).toBe(slot);
          }
          // A tuple never added is not found.
          const absent = new Int32Array(width).fill(41);
          expect(table.find(absent)).toBe(-1);
          if (width === 2) expect(table.find2(41, 0)).toBe(-1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('copies: adding to the copy leaves the original alone', () => {
    const table = new TupleTable(2);
    for (let i = 0; i < 100; i++) table.add(Int32Array.of(i, i * 3), i);
    const copy = table.copy();
    for (let i = 100; i < 300; i++) copy.add(Int32Array.of(i, i * 3), i);
    expect(table.size).toBe(100);
    expect(table.find2(150, 450)).toBe(-1);
    expect(copy.find2(150, 450)).toBe(150);
    expect(copy.find2(7, 21)).toBe(table.find2(7, 21));
  });
});

describe('Counts', () => {
  it('grows with zero counts and copies independently', () => {
    const c = new Counts();
    for (let i = 0; i < 100; i++) {
      const s = c.push(i % 2 === 0);
      c.data[4 * s + N] = i;
      c.data[4 * s + CRITICAL] = 2 * i;
    }
    const copy = c.copy();
    copy.data[4 * 5 + N] = -1;
    expect(c.size).toBe(100);
    expect(c.of(99)).toEqual([99, 0, 0, 198]);
    expect(c.of(5)).toEqual([5, 0, 0, 10]);
    expect([c.present[98], c.present[99]]).toEqual([1, 0]);
  });
});
