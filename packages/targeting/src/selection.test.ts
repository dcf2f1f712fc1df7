import { describe, expect, it } from 'vitest';
import { capacityFor, precisionRecallAt } from './metrics';
import {
  collectLaneRaises,
  parseRules,
  parseWatchlistPolicy,
  randomReserve,
  selectForInspection,
  watchlistRaises,
  type LaneRaiser,
  type WatchlistMatch,
} from './selection';
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

  it('keeps the random share even when red rules fill the capacity', () => {
    // Every declaration from index 100 on is red by rule: 100 mandatory, against a capacity of 20.
    const rules = parseRules([{ id: 'all', lane: 'red', hsPrefix: '4408', explanation: 'sweep' }]);
    const sweep = day.map((d, i) => (i >= 100 ? d : { ...d, hsCode: '010121' }));
    const picked = selectForInspection(sweep, scores, {
      capacity: { percent: 10 },
      randomShare: 0.2,
      seed: 3,
      rules,
    });
    const by = (reason: string) => picked.filter((p) => p.selectedBy === reason).length;
    expect(by('rule')).toBe(99); // index 150 is '293339', not 4408
    expect(by('random')).toBe(randomReserve(20, 0.2));
    expect(by('model')).toBe(0);
    // With room left, the model takes what the rules and the reserve leave.
    const few = selectForInspection(day, scores, {
      capacity: { count: 10 },
      randomShare: 0.3,
      seed: 3,
      rules: parseRules([{ id: 'one', lane: 'red', hsPrefix: '2933', explanation: 'one' }]),
    });
    const fewBy = (reason: string) => few.filter((p) => p.selectedBy === reason).length;
    expect([fewBy('rule'), fewBy('random'), fewBy('model')]).toEqual([1, 3, 6]);
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

describe('lane raisers', () => {
  const day = Array.from({ length: 100 }, (_, i) =>
    declaration({
      id: `D${i}`,
      date: '2021-01-04',
      ...(i === 70 ? { importerName: 'Flagged Importer' } : {}),
      ...(i === 80 ? { sellerName: 'Watched Seller' } : {}),
    }),
  );
  const scores = day.map((_, i) => 1 - i / 100);
  // A stand-in for the watchlist: raises declarations by the party names it carries.
  const raiser: LaneRaiser = {
    source: 'watchlist',
    raise: (ds) =>
      Promise.resolve(
        ds.map((d) => [
          ...(d.importerName === 'Flagged Importer'
            ? [{ source: 'watchlist', lane: 'red' as const, reason: 'importer listed' }]
            : []),
          ...(d.sellerName === 'Watched Seller'
            ? [{ source: 'watchlist', lane: 'yellow' as const, reason: 'seller watched' }]
            : []),
        ]),
      ),
  };

  it('inspects a red raise beyond capacity and lifts a lower one, keeping rules and bands', async () => {
    const raises = await collectLaneRaises(day, [raiser]);
    const rules = parseRules([
      { lane: 'red', importer: 'IMP0001', hsPrefix: '99', explanation: 'r' },
    ]);
    const picked = selectForInspection(day, scores, {
      capacity: { count: 3 },
      randomShare: 0,
      rules,
      raises,
      bands: { yellow: 0.9, blue: 0.1 },
    });
    expect(picked[70]).toMatchObject({
      lane: 'red',
      inspect: true,
      selectedBy: 'raised',
      raises: [{ source: 'watchlist', lane: 'red', reason: 'importer listed' }],
    });
    // Capacity 3: the red raise takes one place, the model's top two the rest.
    expect(picked.filter((p) => p.inspect).map((p) => p.index)).toEqual([0, 1, 70]);
    // Score band blue, raise yellow: the higher wins; a raise never lowers a band.
    expect(picked[80]).toMatchObject({ lane: 'yellow', inspect: false });
    expect(picked[5]?.lane).toBe('yellow');
    expect(picked[50]).toMatchObject({ lane: 'blue', raises: [] });
    // Without the raiser the same declarations are released or banded by score only.
    const plain = selectForInspection(day, scores, {
      capacity: { count: 3 },
      randomShare: 0,
      bands: { yellow: 0.9, blue: 0.1 },
    });
    expect(plain[70]).toMatchObject({ lane: 'blue', inspect: false });
    expect(plain.filter((p) => p.inspect).map((p) => p.index)).toEqual([0, 1, 2]);
  });

  it('refuses a raiser that answers for the wrong number of declarations', async () => {
    const broken: LaneRaiser = { source: 'intelligence', raise: () => Promise.resolve([[]]) };
    await expect(collectLaneRaises(day, [broken])).rejects.toThrow(/intelligence/);
  });
});

describe('watchlistRaises', () => {
  const match = (overrides: Partial<WatchlistMatch> = {}): WatchlistMatch => ({
    role: 'importer',
    partyName: 'ACME LTD',
    entityId: 'ofac:1',
    entityName: 'ACME LIMITED',
    matchedName: 'ACME LIMITED',
    list: 'ofac',
    listVersion: 'ofac@2024-05-03',
    programs: ['SDNTK'],
    score: 0.93,
    ...overrides,
  });

  it('raises at the threshold with a reason naming the list version', () => {
    const policy = parseWatchlistPolicy({ threshold: 0.9 });
    expect(watchlistRaises([match()], policy)).toEqual([
      {
        source: 'watchlist',
        lane: 'red',
        reason:
          "Importer ACME LTD matches OFAC SDN 'ACME LIMITED' (SDNTK, 0.93, list version ofac@2024-05-03)",
      },
    ]);
    expect(watchlistRaises([match({ score: 0.89 })], policy)).toEqual([]);
    expect(watchlistRaises([match({ score: 0.9 })], policy)).toHaveLength(1);
  });

  it('honours decisions: dismissed never raises, confirmed raises at any score', () => {
    const policy = parseWatchlistPolicy({ threshold: 0.9, lane: 'yellow' });
    expect(watchlistRaises([match({ score: 1, decision: 'dismissed' })], policy)).toEqual([]);
    const [confirmed] = watchlistRaises([match({ score: 0.5, decision: 'confirmed' })], policy);
    expect(confirmed?.lane).toBe('yellow');
    expect(confirmed?.reason).toMatch(/confirmed by an officer/);
  });

  it('gives one raise per party and entity, naming the alias that matched', () => {
    const raises = watchlistRaises([
      match({ score: 0.86 }),
      match({ score: 0.95, matchedName: 'ACME LTDA' }),
      match({ role: 'seller', partyName: 'Acme', entityId: 'un:2', list: 'un', programs: [] }),
    ]);
    expect(raises.map((r) => r.reason)).toEqual([
      "Importer ACME LTD matches OFAC SDN 'ACME LTDA' (ACME LIMITED) (SDNTK, 0.95, list version ofac@2024-05-03)",
      "Seller Acme matches UN Security Council list 'ACME LIMITED' (0.93, list version ofac@2024-05-03)",
    ]);
  });

  it('refuses a threshold or lane out of range', () => {
    expect(() => parseWatchlistPolicy({ threshold: 0 })).toThrow(/threshold/);
    expect(() => parseWatchlistPolicy({ threshold: 1.5 })).toThrow(/threshold/);
  });
});
