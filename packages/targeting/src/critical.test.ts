import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CRITICAL_POLICY,
  criticalBudget,
  criticalRaiser,
  parseCriticalPolicy,
} from './critical';
import type { Declaration } from './declarations';
import { TargetingError } from './errors';
import { collectLaneRaises, selectForInspection } from './selection';

// 200 declarations: only the fields selection reads matter here.
const ds = Array.from(
  { length: 200 },
  (_, i) => ({ id: `d${i}`, date: '2021-01-04', hsCode: '123456' }) as unknown as Declaration,
);
// Critical probabilities ranked by index from the end: d199 highest.
const critical = Float64Array.from(ds, (_, i) => (i + 1) / 1000);
const fraud = Float64Array.from(ds, (_, i) => 1 - (i + 1) / 1000);

describe('critical lane raises', () => {
  it('defaults to the top 1 % raised to red and validates a policy', () => {
    expect(parseCriticalPolicy()).toEqual(DEFAULT_CRITICAL_POLICY);
    expect(DEFAULT_CRITICAL_POLICY).toEqual({ topPercent: 1, lane: 'red' });
    expect(() => parseCriticalPolicy({ topPercent: 0 })).toThrow(TargetingError);
    expect(() => parseCriticalPolicy({ topPercent: 100.5 })).toThrow(TargetingError);
    expect(() => parseCriticalPolicy({ lane: 'amber' as 'red' })).toThrow(TargetingError);
  });

  it('raises the top band with the probability as the reason', async () => {
    const raises = await collectLaneRaises(ds, [criticalRaiser(critical)]);
    const raised = raises.flatMap((r, i) => (r.length ? [i] : []));
    expect(raised).toEqual([198, 199]);
    expect(raises[199]).toEqual([
      {
        source: 'critical-model',
        lane: 'red',
        reason: 'Critical Fraud model: top 1 % of the day (p = 0.20)',
      },
    ]);
  });

  it('gives a red band only the capacity left, so selection stays within capacity', async () => {
    const policy = parseCriticalPolicy({ topPercent: 10 });
    // Capacity 5 % = 10 declarations; d0 is already mandatory (free), 4 slots left.
    const mandatory = ds.map((_, i) => i === 0);
    const raises = await collectLaneRaises(ds, [
      criticalRaiser(critical, policy, { redBudget: 4, mandatory }),
    ]);
    expect(raises.filter((r) => r.length).length).toBe(4);
    const picked = selectForInspection(ds, fraud, {
      capacity: { percent: 5 },
      randomShare: 0,
      raises,
    });
    expect(picked.filter((p) => p.inspect)).toHaveLength(10);
    expect(picked.filter((p) => p.selectedBy === 'raised').map((p) => p.id)).toEqual([
      'd196',
      'd197',
      'd198',
      'd199',
    ]);
    // A lower lane is not budgeted: all 20 of the top 10 % are raised to yellow.
    const yellow = await collectLaneRaises(ds, [
      criticalRaiser(critical, { topPercent: 10, lane: 'yellow' }, { redBudget: 0 }),
    ]);
    expect(yellow.filter((r) => r.length).length).toBe(20);
  });

  it('works out the red budget from the selection options: capacity less random share and mandatory reds', () => {
    // d3 and d7 carry a red raise, d5 a yellow one; a red rule on HS 9999 matches nothing.
    const red = { source: 'watchlist', lane: 'red' as const, reason: 'hit' };
    const raises = ds.map((_, i) =>
      i === 3 || i === 7 ? [red] : i === 5 ? [{ ...red, lane: 'yellow' as const }] : [],
    );
    const rules = [
      { id: 'r1', lane: 'red' as const, hsPrefix: '12', explanation: 'x', validTo: '2021-01-03' },
      { id: 'r2', lane: 'yellow' as const, hsPrefix: '12', explanation: 'y' },
      { id: 'r3', lane: 'red' as const, hsPrefix: '9999', explanation: 'z' },
    ];
    // 5 % of 200 = 10; 10 % of it reserved for random picks = 1; 2 mandatory: 7 left.
    const budget = criticalBudget(ds, {
      capacity: { percent: 5 },
      randomShare: 0.1,
      rules,
      raises,
    });
    expect(budget.redBudget).toBe(7);
    expect(budget.mandatory.flatMap((m, i) => (m ? [i] : []))).toEqual([3, 7]);
    // A red rule that matches (in its dates) makes every declaration mandatory: nothing left.
    const all = criticalBudget(ds, {
      capacity: { count: 12.7 },
      rules: [{ id: 'r', lane: 'red', hsPrefix: '123', explanation: 'all' }],
    });
    expect(all.redBudget).toBe(0);
    expect(all.mandatory.every(Boolean)).toBe(true);
    // A count is floored as selectForInspection floors it: 12 - round(1.2) = 11.
    expect(criticalBudget(ds, { capacity: { count: 12.7 } }).redBudget).toBe(11);
    expect(() => criticalBudget(ds, { capacity: { count: 10 }, randomShare: NaN })).toThrow(
      TargetingError,
    );
  });

  it('refuses scores that do not match the day', async () => {
    await expect(collectLaneRaises(ds, [criticalRaiser(critical.slice(1))])).rejects.toThrow(
      TargetingError,
    );
  });
});
