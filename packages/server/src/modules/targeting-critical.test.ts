import { dateOf, kcsLines, kcsTrainText, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../testing';
import { ingestText } from './targeting-test-data';

// The Critical Fraud model through the API (issue 6: "above all the 'critical' ones"): scoring
// also scores with it, the queue shows, sorts and filters by its probability, the declaration
// shows its explanation; viewers read it, only inspectors score, other organisations see nothing.

const DAY = '2021-01-04';
const valid = kcsLines('df_syn_valid_eng.csv');
const dayRows = valid.filter((l) => dateOf(l) === DAY);
const dayText = [valid[0]!, ...dayRows.map(unlabelled)].join('\n') + '\n';

interface Item {
  id: string;
  lane: string;
  inspect: boolean;
  score: number | null;
  criticalScore: number | null;
  reasons: string[];
  raises: { source: string; lane: string; reason: string }[];
}
interface Explanation {
  modelId: string;
  bias: number;
  margin: number;
  contributions: { contribution: number }[];
}

let world: World;

beforeAll(async () => {
  world = await makeWorld();
  await ingestText(world, 'declarations', 'train.csv', kcsTrainText('2020-02-01'));
  await ingestText(world, 'declarations', 'day.csv', dayText);
}, 300_000);

afterAll(async () => {
  // The services first (their scoring threads, the ledger's sequencer), then the store.
  await closeWorld(world);
});

const queue = async (query = ''): Promise<Item[]> => {
  const res = await call(
    world.app,
    world.members.home.viewer,
    'GET',
    `/api/targeting/queue?date=${DAY}&limit=5000${query}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Item[] }).items;
};

describe('targeting API: the Critical Fraud model', () => {
  it('without a Critical model shows no critical score or explanation', async () => {
    const { home } = world.members;
    expect(
      (await call(world.app, home.analyst, 'POST', '/api/targeting/models', { objective: 'fraud' }))
        .status,
    ).toBe(201);
    const scored = await call(world.app, home.officer, 'POST', '/api/targeting/score', {
      date: DAY,
    });
    expect(scored.status).toBe(200);
    expect(await scored.json()).toMatchObject({ criticalModelId: null, criticalRaised: 0 });
    const items = await queue();
    expect(items.every((i) => i.criticalScore === null)).toBe(true);
    const detail = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/declarations/${items[0]!.id}`)
    ).json()) as { criticalScore: number | null; criticalExplanation: Explanation | null };
    expect(detail).toMatchObject({ criticalScore: null, criticalExplanation: null });
  });

  it('scores with the Critical model, raises its top band and explains it', async () => {
    const { home } = world.members;
    const trained = await call(world.app, home.analyst, 'POST', '/api/targeting/models', {
      objective: 'critical',
    });
    expect(trained.status).toBe(201);
    const criticalId = ((await trained.json()) as { id: string }).id;
    const scored = await call(world.app, home.officer, 'POST', '/api/targeting/score', {
      date: DAY,
      critical: { topPercent: 1, lane: 'red' },
    });
    expect(scored.status).toBe(200);
    const result = (await scored.json()) as { criticalModelId: string; criticalRaised: number };
    expect(result.criticalModelId).toBe(criticalId);
    expect(result.criticalRaised).toBeGreaterThan(0);

    const sorted = await queue('&sort=critical');
    expect(sorted).toHaveLength(dayRows.length);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i - 1]!.criticalScore!).toBeGreaterThanOrEqual(sorted[i]!.criticalScore!);
    const top = sorted[0]!;
    expect(top).toMatchObject({ lane: 'red', inspect: true });
    expect(top.raises).toContainEqual({
      source: 'critical-model',
      lane: 'red',
      reason: `Critical Fraud model: top 1 % of the day (p = ${top.criticalScore!.toFixed(2)})`,
    });
    const filtered = await queue(`&minCritical=${sorted[4]!.criticalScore}`);
    expect(filtered.length).toBeGreaterThanOrEqual(5);
    expect(filtered.every((i) => i.criticalScore! >= sorted[4]!.criticalScore!)).toBe(true);

    const detail = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/declarations/${top.id}`)
    ).json()) as {
      score: number;
      criticalScore: number;
      explanation: Explanation;
      criticalExplanation: Explanation;
    };
    expect(detail.criticalScore).toBe(top.criticalScore);
    const e = detail.criticalExplanation;
    expect(e.modelId).toBe(criticalId);
    expect(e.bias + e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(
      e.margin,
      9,
    );
    expect(1 / (1 + Math.exp(-e.margin))).toBeCloseTo(detail.criticalScore, 6);
    expect(detail.explanation.modelId).not.toBe(criticalId);
  });

  it('refuses a bad critical policy or filter with a problem', async () => {
    const { officer } = world.members.home;
    for (const critical of [{ topPercent: 0 }, { topPercent: 150 }, { lane: 'purple' }, { x: 1 }]) {
      const res = await call(world.app, officer, 'POST', '/api/targeting/score', {
        date: DAY,
        critical,
      });
      expect(res.status, JSON.stringify(critical)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const res = await call(
      world.app,
      world.members.home.viewer,
      'GET',
      `/api/targeting/queue?date=${DAY}&minCritical=2`,
    );
    expect(res.status).toBe(400);
    expect(
      (
        await call(
          world.app,
          world.members.home.viewer,
          'GET',
          `/api/targeting/queue?date=${DAY}&sort=fraud`,
        )
      ).status,
    ).toBe(400);
  });

  it('lets a viewer read but not score; another organisation sees nothing', async () => {
    const { home, agency } = world.members;
    expect(
      (await call(world.app, home.viewer, 'POST', '/api/targeting/score', { date: DAY })).status,
    ).toBe(403);
    const [top] = await queue('&sort=critical');
    for (const member of [agency.admin, agency.viewer]) {
      const res = await call(
        world.app,
        member,
        'GET',
        `/api/targeting/queue?date=${DAY}&sort=critical&minCritical=0`,
      );
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
      expect(
        (await call(world.app, member, 'GET', `/api/targeting/declarations/${top!.id}`)).status,
      ).toBe(404);
    }
    for (const path of [
      `/api/targeting/queue?date=${DAY}&sort=critical`,
      `/api/targeting/declarations/${top!.id}`,
    ])
      expect((await call(world.app, home.partner, 'GET', path)).status).toBe(403);
  });
});
