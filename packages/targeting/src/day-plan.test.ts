import { describe, expect, it } from 'vitest';
import { planInspectionDay, type InspectionDayInput } from './day-plan';
import { TargetingError } from './errors';
import { parseRules, selectForInspection, type LaneRaise } from './selection';
import { declaration } from './test-fixtures';

// Ten declarations d0 … d9; d5 and d6 are HS 293339 (a precursor heading), the rest 440890.
// Every expected value below is worked out by hand from these numbers and the default bands
// (yellow ≥ 0.5, blue ≥ 0.2); only which declaration the random draw picks is left to the seed.
const day = Array.from({ length: 10 }, (_, i) =>
  declaration({
    id: `d${i}`,
    date: '2021-01-04',
    hsCode: i === 5 || i === 6 ? '293339' : '440890',
  }),
);
// Fraud probabilities, descending by index: d0 first, d9 last.
const fraud = [0.95, 0.9, 0.8, 0.6, 0.45, 0.3, 0.25, 0.1, 0.05, 0.01];
// Critical probabilities: ranked d9 (0.9), d6 (0.8), d4 (0.7), d2 (0.6), then the rest.
const critical = [0.01, 0.02, 0.6, 0.03, 0.7, 0.04, 0.8, 0.05, 0.06, 0.9];
const precursorRule = parseRules([
  { id: 'precursors', lane: 'red', hsPrefix: '2933', explanation: 'precursor heading 29.33' },
]);
const listed: LaneRaise = { source: 'watchlist', lane: 'red', reason: 'importer listed' };
// A red watchlist raise on d7 only.
const watchlist: LaneRaise[][] = day.map((_, i) => (i === 7 ? [listed] : []));
// The model's reasons stand in as "why i"; `asked` records which declarations were explained.
function explainer(): { asked: number[]; modelReasons: (i: number) => string[] } {
  const asked: number[] = [];
  return {
    asked,
    modelReasons: (i) => {
      asked.push(i);
      return [`why ${i}`];
    },
  };
}
const inspected = (plan: ReturnType<typeof planInspectionDay>, by: string): number[] =>
  plan.declarations.filter((p) => p.selectedBy === by).map((p) => p.index);

describe('planInspectionDay', () => {
  it('reserves the random share of the capacity first and fills the rest with top scores', () => {
    const { asked, modelReasons } = explainer();
    // Capacity 4, random share 0.25: round(4 × 0.25) = 1 random pick, so the model gets 3.
    const input: InspectionDayInput = {
      declarations: day,
      scores: fraud,
      capacity: { count: 4 },
      randomShare: 0.25,
      seed: 7,
    };
    const plan = planInspectionDay({ ...input, modelReasons });
    expect(inspected(plan, 'model')).toEqual([0, 1, 2]);
    const random = inspected(plan, 'random');
    expect(random).toHaveLength(1);
    const r = random[0] as number;
    expect(r).toBeGreaterThanOrEqual(3);
    // Everything picked is red; the rest take their score band: d3 yellow (0.6), d4–d6 blue
    // (0.45, 0.3, 0.25), d7–d9 green.
    const band = ['red', 'red', 'red', 'yellow', 'blue', 'blue', 'blue', 'green', 'green', 'green'];
    expect(plan.declarations.map((p) => p.lane)).toEqual(
      band.map((lane, i) => (i === r ? 'red' : lane)),
    );
    expect(plan.lanes).toEqual({
      red: 4,
      yellow: r === 3 ? 0 : 1,
      blue: r >= 4 && r <= 6 ? 2 : 3,
      green: r >= 7 ? 2 : 3,
    });
    expect(plan.declarations[r]?.reasons).toEqual(['random inspection', `why ${r}`]);
    expect(plan.declarations[0]).toMatchObject({
      id: 'd0',
      score: 0.95,
      inspect: true,
      reasons: ['why 0'],
      criticalScore: null,
    });
    // Green declarations are released without an explanation.
    expect(asked).toEqual(plan.declarations.filter((p) => p.lane !== 'green').map((p) => p.index));
    expect(plan.criticalRaised).toBe(0);
    // The same seed draws the same pick.
    expect(inspected(planInspectionDay(input), 'random')).toEqual(random);
  });

  it('inspects red rules and red raises beyond capacity, and still keeps the random reserve', () => {
    const { modelReasons } = explainer();
    // Capacity 2, random share 0.5: 1 random pick; the rule (d5, d6) and the raise (d7) are 3
    // mandatory inspections, so the model gets max(0, 2 − 1 − 3) = 0 and 4 are inspected.
    const plan = planInspectionDay({
      declarations: day,
      scores: fraud,
      capacity: { count: 2 },
      randomShare: 0.5,
      seed: 3,
      rules: precursorRule,
      raises: watchlist,
      modelReasons,
    });
    expect(inspected(plan, 'rule')).toEqual([5, 6]);
    expect(inspected(plan, 'raised')).toEqual([7]);
    expect(inspected(plan, 'model')).toEqual([]);
    const random = inspected(plan, 'random');
    expect(random).toHaveLength(1);
    expect([5, 6, 7]).not.toContain(random[0]);
    expect(plan.lanes.red).toBe(4);
    // Raises first, then rules, then the model's reasons.
    expect(plan.declarations[5]?.reasons).toEqual(['precursor heading 29.33', 'why 5']);
    expect(plan.declarations[7]).toMatchObject({
      lane: 'red',
      raises: [listed],
      reasons: ['importer listed', 'why 7'],
    });
  });

  it('lifts a lane with a lower rule without inspecting, and explains it', () => {
    const { asked, modelReasons } = explainer();
    const rules = parseRules([{ lane: 'yellow', hsPrefix: '2933', explanation: 'watch 29.33' }]);
    // Capacity 1, no random share: only d0. d5 and d6 (blue by score) are lifted to yellow.
    const plan = planInspectionDay({
      declarations: day,
      scores: fraud,
      capacity: { count: 1 },
      randomShare: 0,
      rules,
      modelReasons,
    });
    expect(plan.declarations.map((p) => p.lane)).toEqual([
      'red',
      'yellow',
      'yellow',
      'yellow',
      'blue',
      'yellow',
      'yellow',
      'green',
      'green',
      'green',
    ]);
    expect(plan.declarations[6]).toMatchObject({
      inspect: false,
      selectedBy: null,
      reasons: ['watch 29.33', 'why 6'],
    });
    expect(plan.lanes).toEqual({ red: 1, yellow: 5, blue: 1, green: 3 });
    expect(asked).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('raises the Critical band only within the red budget the rules, raises and random share leave', () => {
    const { modelReasons } = explainer();
    // Capacity 6, random share 0.2: round(1.2) = 1 random pick. Mandatory: d5, d6 (rule) and d7
    // (raise), so the red budget is 6 − 1 − 3 = 2. The top 40 % band is 4 declarations by
    // critical probability: d9 (budget 2 → 1), d6 (mandatory already: free), d4 (1 → 0), d2
    // (no budget left: not raised). Then d4, d5, d6, d7, d9 are mandatory (5), the model gets
    // 6 − 1 − 5 = 0, and one random pick makes 6 inspections: the capacity exactly.
    const plan = planInspectionDay({
      declarations: day,
      scores: fraud,
      capacity: { count: 6 },
      randomShare: 0.2,
      seed: 11,
      rules: precursorRule,
      raises: watchlist,
      critical: { scores: critical, policy: { topPercent: 40, lane: 'red' } },
      modelReasons,
    });
    expect(plan.criticalRaised).toBe(3);
    const band = (i: number) => plan.declarations[i]?.raises.map((r) => r.source);
    expect([band(9), band(6), band(4), band(2)]).toEqual([
      ['critical-model'],
      ['critical-model'],
      ['critical-model'],
      [],
    ]);
    expect(inspected(plan, 'raised')).toEqual([4, 7, 9]);
    expect(inspected(plan, 'rule')).toEqual([5, 6]);
    expect(inspected(plan, 'model')).toEqual([]);
    expect(inspected(plan, 'random')).toHaveLength(1);
    expect(plan.lanes.red).toBe(6);
    expect(plan.declarations[6]).toMatchObject({
      criticalScore: 0.8,
      reasons: [
        'Critical Fraud model: top 40 % of the day (p = 0.80)',
        'precursor heading 29.33',
        'why 6',
      ],
    });
    expect(plan.declarations.map((p) => p.criticalScore)).toEqual(critical);
    // The caller's raises are left as they were.
    expect(watchlist[9]).toEqual([]);

    // A yellow band costs no capacity: d9 and d6 (top 20 %) are raised to yellow, none is
    // inspected for it, and (no random share this time) the model gets 6 − 3 = 3: d0, d1, d2.
    const yellow = planInspectionDay({
      declarations: day,
      scores: fraud,
      capacity: { count: 6 },
      randomShare: 0,
      rules: precursorRule,
      raises: watchlist,
      critical: { scores: critical, policy: { topPercent: 20, lane: 'yellow' } },
    });
    expect(yellow.criticalRaised).toBe(2);
    expect(inspected(yellow, 'model')).toEqual([0, 1, 2]);
    expect(yellow.declarations[9]).toMatchObject({ lane: 'yellow', inspect: false });
    expect(yellow.declarations[9]?.reasons).toEqual([
      'Critical Fraud model: top 20 % of the day (p = 0.90)',
    ]);
  });

  it('without a Critical model selects as selectForInspection does', () => {
    const options = {
      capacity: { percent: 30 },
      randomShare: 0.3,
      seed: 5,
      rules: precursorRule,
      raises: watchlist,
    };
    const plan = planInspectionDay({ declarations: day, scores: fraud, ...options });
    const picked = selectForInspection(day, fraud, options);
    expect(plan.declarations.map(({ criticalScore: _c, reasons: _r, ...p }) => p)).toEqual(picked);
  });

  it('refuses a bad random share, with or without a Critical model', () => {
    const input: InspectionDayInput = {
      declarations: day,
      scores: fraud,
      capacity: { count: 3 },
      randomShare: NaN,
    };
    expect(() => planInspectionDay(input)).toThrow(TargetingError);
    expect(() =>
      planInspectionDay({
        ...input,
        critical: { scores: critical, policy: { topPercent: 10, lane: 'red' } },
      }),
    ).toThrow(/randomShare must be between 0 and 1/);
    expect(() =>
      planInspectionDay({
        ...input,
        randomShare: 0.1,
        critical: { scores: critical.slice(1), policy: { topPercent: 10, lane: 'red' } },
      }),
    ).toThrow(/critical scores differ/);
  });

  it('reports progress as it gathers reasons', () => {
    const seen: [number, number][] = [];
    planInspectionDay({
      declarations: day,
      scores: fraud,
      capacity: { count: 1 },
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([
      [0, 10],
      [10, 10],
    ]);
  });
});
