import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  annualTotals,
  fiscalToCalendarMonth,
  forecastSeries,
  monthlySeries,
  normalQuantile,
  robustSeasonalBaseline,
  seizuresPerTraffic,
  shares,
  TRAFFIC_UNITS,
  unodcCountryTotals,
  unusualMonths,
  unusualMonthsAcross,
  yearlyTrend,
  yearOverYear,
} from './index';

/** Deterministic standard-normal noise (LCG + Box-Muller), so the tests are reproducible. */
function noise(seed: number): () => number {
  let state = seed;
  const uniform = () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return (state + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A seasonal monthly series: level + 12-month sine season + N(0, 3²) noise. */
function seasonal(months: number, start = '2015-01', level = 100, amplitude = 20, seed = 7) {
  const z = noise(seed);
  return Array.from({ length: months }, (_, i) => ({
    month: addMonths(start, i),
    value: level + amplitude * Math.sin((2 * Math.PI * i) / 12) + 3 * z(),
  }));
}

describe('months', () => {
  it('round-trips addMonths and maps fiscal months', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -500, max: 500 }),
        (d) => addMonths(addMonths('2020-06', d), -d) === '2020-06',
      ),
    );
    expect(fiscalToCalendarMonth(2023, 'OCT')).toBe('2022-10');
    expect(fiscalToCalendarMonth(2023, 'SEP')).toBe('2023-09');
  });
});

describe('series', () => {
  it('groups, fills gaps with zero and keeps the row ids', () => {
    const rows = [
      { id: 'a:2', drug: 'X', month: '2020-01', lbs: 2 },
      { id: 'a:3', drug: 'X', month: '2020-03', lbs: 3 },
      { id: 'a:4', drug: 'X', month: '2020-03', lbs: 4 },
    ];
    const [s] = monthlySeries(rows, {
      key: (r) => r.drug,
      month: (r) => r.month,
      value: (r) => r.lbs,
      rowId: (r) => r.id,
    });
    expect(s?.points.map((p) => [p.month, p.value, p.rowIds])).toEqual([
      ['2020-01', 2, ['a:2']],
      ['2020-02', 0, []],
      ['2020-03', 7, ['a:3', 'a:4']],
    ]);
  });

  it('year-over-year change compares the same month a year before', () => {
    const y = yearOverYear([
      { month: '2020-05', value: 10 },
      { month: '2021-05', value: 15 },
    ]);
    expect(y[1]).toMatchObject({ previous: 10, change: 5, changeRatio: 0.5 });
    expect(y[0]?.changeRatio).toBeNull();
    expect(
      annualTotals(
        [
          { month: '2022-10', value: 1 },
          { month: '2023-09', value: 2 },
        ],
        { fiscal: true },
      ),
    ).toEqual([{ year: 2023, value: 3, months: 2 }]);
  });

  it('shares always sum to one (invariant)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.constantFrom('a', 'b', 'c', 'd'),
            value: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
          }),
          {
            minLength: 1,
          },
        ),
        (values) => Math.abs(shares(values).reduce((s, x) => s + x.share, 0) - 1) < 1e-9,
      ),
    );
  });
});

describe('unusual months', () => {
  it('flags an injected spike and nothing in clean seasonal data', () => {
    const clean = seasonal(72);
    expect(unusualMonths(clean)).toEqual([]);
    const spiked = clean.map((p, i) => (i === 40 ? { ...p, value: p.value + 200 } : p));
    const flagged = unusualMonths(spiked);
    expect(flagged.map((f) => f.month)).toEqual([clean[40]?.month]);
    expect(flagged[0]).toMatchObject({ direction: 'high', severity: 'extreme' });
  });

  it('does not flag a month just because its season is high', () => {
    // Every December doubles: seasonal, hence expected.
    const data = Array.from({ length: 60 }, (_, i) => ({
      month: addMonths('2018-01', i),
      value: i % 12 === 11 ? 200 : 100 + (i % 3),
    }));
    expect(unusualMonths(data)).toEqual([]);
    expect(robustSeasonalBaseline(data)[11]?.expected).toBeGreaterThan(150);
  });

  it('scores are invariant to shifting and scaling the series', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        (shift, scale) => {
          const base = seasonal(48).map((p, i) => (i === 20 ? { ...p, value: p.value * 3 } : p));
          const a = robustSeasonalBaseline(base);
          const b = robustSeasonalBaseline(
            base.map((p) => ({ ...p, value: p.value * scale + shift })),
          );
          return a.every((x, i) => Math.abs(x.score - (b[i]?.score ?? NaN)) < 1e-6);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('unusual months across a view, with a minimum volume', () => {
  // Two series on one grid, as a view by drug gives them: a large one (≈10,000 lb a month, like
  // marijuana) and a tiny one (≈1 lb a month, like LSD, weighed in doses).
  // 100 × (100 + 20·season + N(0, 3²)): ≈10,000 lb, a ±2,000 lb season, N(0, 300²) noise.
  const large = seasonal(72, '2019-01', 100, 20, 7).map((p) => ({ ...p, value: p.value * 100 }));
  const tiny = seasonal(72, '2019-01', 100, 20, 13).map((p) => ({ ...p, value: p.value / 100 }));
  // The tiny series' one odd month: 30 lb where ≈1 was expected (a single large seizure).
  const tinyOdd = tiny.map((p, i) => (i === 30 ? { ...p, value: 30 } : p));
  // The large series' real event: +6,000 lb in one month (z ≈ 20).
  const largeOdd = large.map((p, i) => (i === 50 ? { ...p, value: p.value + 6_000 } : p));
  const view = [
    { key: 'Marijuana', points: largeOdd },
    { key: 'Lsd', points: tinyOdd },
  ];

  it('flags a tiny series’ odd month on its own, whatever its volume', () => {
    const flagged = unusualMonths(tinyOdd);
    expect(flagged.map((f) => f.month)).toEqual([tinyOdd[30]?.month]);
    expect(flagged[0]?.score).toBeGreaterThan(100);
  });

  it('leaves it out of a view where it cannot matter, and says how many it left out', () => {
    const report = unusualMonthsAcross(view);
    // The typical month of the view holds ≈10,001 lb: the minimum is 1% of that, ≈100 lb.
    expect(report.minimumRule.kind).toBe('share-of-view');
    expect(report.minimum).toBeGreaterThan(90);
    expect(report.minimum).toBeLessThan(110);
    expect(report.items.map((i) => [i.key, i.month])).toEqual([['Marijuana', largeOdd[50]?.month]]);
    expect(report.belowMinimum).toBe(1);
  });

  it('judges a series at its own scale when it is the whole view', () => {
    const report = unusualMonthsAcross([{ key: 'Lsd', points: tinyOdd }]);
    expect(report.minimum).toBeLessThan(0.02);
    expect(report.items.map((i) => i.month)).toEqual([tinyOdd[30]?.month]);
  });

  it('takes a minimum given in the series’ unit instead', () => {
    const none = unusualMonthsAcross(view, { minimum: 0 });
    expect(none.minimumRule).toEqual({ kind: 'given' });
    expect(none.items.map((i) => i.key)).toEqual(['Lsd', 'Marijuana']); // most unusual first
    expect(unusualMonthsAcross(view, { minimum: 10_000 }).items).toEqual([]);
    expect(unusualMonths(largeOdd, { minimum: 10_000 })).toEqual([]);
    expect(() => unusualMonthsAcross(view, { minimum: -1 })).toThrow(/minimum/);
    expect(() => unusualMonthsAcross(view, { minimumShare: 1 })).toThrow(/minimumShare/);
  });

  it('says why a month is unusual: its gap, ratio and the range it left', () => {
    const [odd] = unusualMonthsAcross(view).items;
    if (!odd) throw new Error('nothing flagged');
    expect(odd.gap).toBeCloseTo(odd.value - odd.expected, 9);
    expect(odd.ratio).toBeCloseTo(odd.value / odd.expected, 9);
    expect(odd.direction).toBe('high');
    // The usual range is the threshold band around the expected value, in the series' unit…
    expect(odd.usualHigh - odd.usualLow).toBeCloseTo(2 * 3.5 * odd.spread, 6);
    expect(odd.usualLow).toBeLessThan(odd.expected);
    expect(odd.usualHigh).toBeGreaterThan(odd.expected);
    // …and the month lies outside it, by its score in spreads.
    expect(odd.value).toBeGreaterThan(odd.usualHigh);
    expect((odd.value - (odd.usualHigh + odd.usualLow) / 2) / odd.spread).toBeCloseTo(odd.score, 6);
    // The noise was N(0, 300²): the spread estimates it.
    expect(odd.spread).toBeGreaterThan(200);
    expect(odd.spread).toBeLessThan(450);
  });

  it('gives no ratio where nothing was expected', () => {
    const zeros = Array.from({ length: 36 }, (_, i) => ({
      month: addMonths('2020-01', i),
      value: i === 20 ? 50 : 0,
    }));
    const [spike] = unusualMonths(zeros);
    expect(spike).toMatchObject({ month: '2021-09', value: 50, expected: 0, ratio: null });
  });
});

describe('forecast', () => {
  it('follows the season and brackets the forecast with widening intervals', () => {
    const data = seasonal(60);
    const f = forecastSeries(data, { horizon: 12 });
    expect(f.method).toBe('holt-winters-additive');
    // The next peak of the sine (i = 63 → +20) should be forecast above the next trough (i = 69).
    expect(f.points[3]?.value).toBeGreaterThan(f.points[9]?.value ?? Infinity);
    for (const p of f.points) {
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.upper).toBeGreaterThanOrEqual(p.value);
    }
    const width = (i: number) => (f.points[i]?.upper ?? 0) - (f.points[i]?.lower ?? 0);
    expect(width(11)).toBeGreaterThan(width(0));
    expect(f.points[0]?.month).toBe(addMonths(data[59]?.month as string, 1));
  });

  it('falls back to Holt linear on short series and refuses too little data', () => {
    expect(forecastSeries(seasonal(10)).method).toBe('holt-linear');
    expect(() => forecastSeries(seasonal(2))).toThrow(/at least 3 months/);
  });

  it('normal quantiles match published values', () => {
    // Standard normal table: z(0.975) = 1.959964, z(0.9) = 1.281552.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281552, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});

describe('rates and UNODC', () => {
  it('divides seizures by traffic per area and month, leaving months without traffic out', () => {
    const r = seizuresPerTraffic(
      [
        { area: 'SW', month: '2023-01', events: 5, pounds: 100 },
        { area: 'SW', month: '2023-02', events: 1, pounds: 1 },
      ],
      [
        { area: 'SW', month: '2023-01', value: 200_000 },
        { area: 'SW', month: '2023-03', value: 100_000 },
      ],
    );
    expect(r).toEqual([
      {
        area: 'SW',
        month: '2023-01',
        events: 5,
        pounds: 100,
        traffic: 200_000,
        eventsPer100k: 2.5,
        poundsPer100k: 50,
      },
      {
        area: 'SW',
        month: '2023-03',
        events: 0,
        pounds: 0,
        traffic: 100_000,
        eventsPer100k: 0,
        poundsPer100k: 0,
      },
    ]);
  });

  it('counts every inbound crossing once in the all-crossings unit', () => {
    // One conveyance or pedestrian per primary inspection: nothing carried by another crossing.
    expect([...TRAFFIC_UNITS.crossings].sort()).toEqual(
      ['Buses', 'Pedestrians', 'Personal Vehicles', 'Trains', 'Trucks'].sort(),
    );
    // Summed per area and month before dividing: 3 events over 150,000 crossings of two modes.
    const [rate] = seizuresPerTraffic(
      [{ area: 'SW', month: '2023-01', events: 3, pounds: 30 }],
      [
        { area: 'SW', month: '2023-01', value: 100_000 },
        { area: 'SW', month: '2023-01', value: 50_000 },
      ],
    );
    expect(rate?.eventsPer100k).toBeCloseTo(2, 12);
  });

  it('sums repeated UNODC rows and computes trends', () => {
    const rows = [
      {
        id: '1',
        countryCode: 'AAA',
        country: 'A',
        region: 'R',
        drugSubGroup: 'Cocaine',
        year: 2020,
        kilograms: 10,
      },
      {
        id: '2',
        countryCode: 'AAA',
        country: 'A',
        region: 'R',
        drugSubGroup: 'Cocaine',
        year: 2020,
        kilograms: 10,
      },
      {
        id: '3',
        countryCode: 'AAA',
        country: 'A',
        region: 'R',
        drugSubGroup: 'Cocaine',
        year: 2022,
        kilograms: 80,
      },
      {
        id: '4',
        countryCode: 'AAA',
        country: 'A',
        region: 'R',
        drugSubGroup: 'Cocaine',
        year: 2021,
        kilograms: null,
      },
    ];
    const totals = unodcCountryTotals(rows);
    expect(totals.map((t) => [t.year, t.kilograms, t.rowIds])).toEqual([
      [2020, 20, ['1', '2']],
      [2022, 80, ['3']],
    ]);
    const trend = yearlyTrend(
      'AAA',
      totals.map((t) => ({ year: t.year, value: t.kilograms })),
    );
    expect(trend?.cagr).toBeCloseTo(1, 9); // 20 → 80 over two years doubles each year
    expect(trend?.slopePerYear).toBeCloseTo(30, 9); // least squares through (0,20), (1,0), (2,80)
  });
});
