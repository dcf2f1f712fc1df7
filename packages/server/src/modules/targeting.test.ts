import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../testing';
import { dateOf, kcsLines, unlabelled } from '@interdict/testkit';
import { ingestText } from './targeting-test-data';

const train = kcsLines('df_syn_train_eng.csv');
const valid = kcsLines('df_syn_valid_eng.csv');
const DAY = '2021-01-04';
const text =
  [
    ...train.filter((l, i) => i === 0 || dateOf(l) < '2020-02-15'),
    ...valid.filter((l) => dateOf(l) === DAY).map(unlabelled),
  ].join('\n') + '\n';

let world: World;

beforeAll(async () => {
  world = await makeWorld();
  await ingestText(world, 'declarations', 'declarations.csv', text);
}, 300_000);

afterAll(async () => {
  // The services first (their scoring threads, the ledger's sequencer), then the store.
  await closeWorld(world);
});

describe('targeting API', () => {
  it('trains, scores the day, shows the queue, explains and records an inspection', async () => {
    const { home } = world.members;
    const trained = await call(world.app, home.analyst, 'POST', '/api/targeting/models', {
      objective: 'fraud',
    });
    expect(trained.status).toBe(201);
    const scored = await call(world.app, home.officer, 'POST', '/api/targeting/score', {
      date: DAY,
    });
    expect(scored.status).toBe(200);
    const queue = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/queue?date=${DAY}`)
    ).json()) as {
      items: { id: string; lane: string; score: number; reasons: string[] }[];
    };
    expect(queue.items.length).toBeGreaterThan(0);
    expect(queue.items[0]?.lane).toBe('red');
    const first = queue.items[0]!;
    const detail = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/declarations/${first.id}`)
    ).json()) as {
      score: number;
      explanation: { bias: number; margin: number; contributions: { contribution: number }[] };
    };
    const sum =
      detail.explanation.bias +
      detail.explanation.contributions.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(detail.explanation.margin, 9);
    expect(detail.score).toBeCloseTo(first.score, 9);

    const recorded = await call(
      world.app,
      home.officer,
      'POST',
      `/api/targeting/declarations/${first.id}/inspection`,
      {
        fraud: 1,
        critical: 1,
        note: 'undervalued',
      },
    );
    expect(recorded.status).toBe(200);
    const days = (await (
      await call(world.app, home.viewer, 'GET', '/api/targeting/days')
    ).json()) as {
      items: { date: string; inspected: number }[];
    };
    expect(days.items.find((d) => d.date === DAY)?.inspected).toBe(1);
  });

  it('enforces roles, organisation scope and sign-in', async () => {
    const { home, agency } = world.members;
    const [first] = (
      (await (
        await call(world.app, home.viewer, 'GET', `/api/targeting/queue?date=${DAY}&limit=1`)
      ).json()) as {
        items: { id: string }[];
      }
    ).items;
    expect(
      (await call(world.app, undefined, 'GET', `/api/targeting/queue?date=${DAY}`)).status,
    ).toBe(401);
    expect(
      (await call(world.app, home.partner, 'GET', `/api/targeting/queue?date=${DAY}`)).status,
    ).toBe(403);
    expect(
      (
        await call(
          world.app,
          home.viewer,
          'POST',
          `/api/targeting/declarations/${first!.id}/inspection`,
          { fraud: 0, critical: 0 },
        )
      ).status,
    ).toBe(403);
    expect(
      (await call(world.app, agency.admin, 'GET', `/api/targeting/declarations/${first!.id}`))
        .status,
    ).toBe(404);
    const rule = { lane: 'red', hsPrefix: '2933', origin: 'CO', explanation: 'precursors from CO' };
    expect((await call(world.app, home.officer, 'POST', '/api/targeting/rules', rule)).status).toBe(
      403,
    );
    const created = await call(world.app, home.analyst, 'POST', '/api/targeting/rules', rule);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(
      (await call(world.app, agency.admin, 'DELETE', `/api/targeting/rules/${id}`)).status,
    ).toBe(404);
    expect(
      (await call(world.app, home.analyst, 'DELETE', `/api/targeting/rules/${id}`)).status,
    ).toBe(204);
  });

  it('lists as many declaration days as asked, newest first', async () => {
    const days = async (query: string) =>
      (await (
        await call(world.app, world.members.home.viewer, 'GET', `/api/targeting/days${query}`)
      ).json()) as { items: { date: string }[] };
    const all = (await days('?limit=1000')).items.map((d) => d.date);
    // The training days since 2020-01-01 and the scored day: more than 10, the oldest included.
    expect(all.length).toBeGreaterThan(10);
    expect(all[0]).toBe(DAY);
    expect(all[all.length - 1]).toBe('2020-01-01');
    expect((await days('?limit=10')).items.map((d) => d.date)).toEqual(all.slice(0, 10));
    expect(
      (await call(world.app, world.members.home.viewer, 'GET', '/api/targeting/days?limit=0'))
        .status,
    ).toBe(400);
  });

  it('refuses rules that would never match, match everything or have their dates backwards', async () => {
    const { home } = world.members;
    const refused = async (rule: Record<string, unknown>, message: RegExp) => {
      const res = await call(world.app, home.analyst, 'POST', '/api/targeting/rules', rule);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.detail).toMatch(message);
    };
    // No condition: a red rule on every declaration of the day, inspected beyond capacity.
    await refused({ lane: 'red', explanation: 'everything' }, /at least one condition/);
    await refused(
      {
        lane: 'red',
        origin: 'CO',
        explanation: 'x',
        validFrom: '2021-03-01',
        validTo: '2021-01-01',
      },
      /validTo: must not be before validFrom \(2021-03-01\)/,
    );
    await refused(
      { lane: 'red', origin: 'CO', explanation: 'x', validFrom: '2021-02-30' },
      /validFrom: must be a real calendar date/,
    );
    // Declarations carry country codes in capitals: "co" would never match.
    await refused(
      { lane: 'red', origin: 'co', explanation: 'x' },
      /origin: must be a country code/,
    );
    await refused({ lane: 'red', origin: 'CO', explanation: '   ' }, /an explanation is required/);
    const rules = (await (
      await call(world.app, home.viewer, 'GET', '/api/targeting/rules')
    ).json()) as { items: unknown[] };
    expect(rules.items).toEqual([]);
    // Office and declarant are conditions too; the explanation is stored trimmed.
    const ok = await call(world.app, home.analyst, 'POST', '/api/targeting/rules', {
      lane: 'yellow',
      office: '40',
      explanation: ' office 40 documents ',
    });
    expect(ok.status).toBe(201);
    const created = (await ok.json()) as { id: string; office: string; explanation: string };
    expect(created).toMatchObject({ office: '40', explanation: 'office 40 documents' });
    await call(world.app, home.analyst, 'DELETE', `/api/targeting/rules/${created.id}`);
  });

  it('scores within a capacity of N declarations and says when the day has none', async () => {
    const { home } = world.members;
    const score = (body: Record<string, unknown>) =>
      call(world.app, home.officer, 'POST', '/api/targeting/score', body);
    const none = await score({ date: '2022-01-01' });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { detail: string }).detail).toBe(
      'no declarations dated 2022-01-01: nothing to score',
    );
    expect((await score({ date: '2021-02-30' })).status).toBe(400);
    // An unknown field is refused rather than ignored (a misspelt capacity would be the default).
    expect((await score({ date: DAY, capacity: 7 })).status).toBe(400);
    expect((await score({ date: DAY, capacityPercent: 5, capacityCount: 7 })).status).toBe(400);
    const res = await score({ date: DAY, capacityCount: 7, randomShare: 0 });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { lanes: Record<string, number>; scored: number };
    expect(result.lanes.red).toBe(7);
    const queue = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/queue?date=${DAY}&lane=red`)
    ).json()) as { items: { inspect: boolean; selectedBy: string }[] };
    expect(queue.items.filter((i) => i.inspect && i.selectedBy === 'model')).toHaveLength(7);
    // More than the day has: everything is inspected, nothing fails.
    const all = (await (await score({ date: DAY, capacityCount: result.scored + 50 })).json()) as {
      lanes: Record<string, number>;
    };
    expect(all.lanes.red).toBe(result.scored);
  });

  it('shows a training in progress and refuses a second one meanwhile', async () => {
    const { home, agency } = world.members;
    const status = async (member = home.viewer) =>
      (await (await call(world.app, member, 'GET', '/api/targeting/models/training')).json()) as {
        items: { objective: string; startedBy: string }[];
      };
    expect((await status()).items).toEqual([]);
    expect(
      (await call(world.app, home.partner, 'GET', '/api/targeting/models/training')).status,
    ).toBe(403);
    let done = false;
    const first = call(world.app, home.analyst, 'POST', '/api/targeting/models', {
      objective: 'critical',
    }).finally(() => (done = true));
    let seen: { objective: string; startedBy: string }[] = [];
    while (!done && seen.length === 0) seen = (await status()).items;
    expect(seen).toEqual([
      expect.objectContaining({
        objective: 'critical',
        startedBy: home.analyst.id,
        status: 'running',
      }),
    ]);
    // Another organisation sees none of it and may train its own.
    expect((await status(agency.viewer)).items).toEqual([]);
    const second = await call(world.app, home.admin, 'POST', '/api/targeting/models', {
      objective: 'fraud',
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { detail: string }).detail).toMatch(
      /^a critical model is already being trained/,
    );
    // A viewer is told it may not train, not that someone else is training.
    expect(
      (await call(world.app, home.viewer, 'POST', '/api/targeting/models', { objective: 'fraud' }))
        .status,
    ).toBe(403);
    expect((await first).status).toBe(201);
    expect((await status()).items).toEqual([]);
  });

  it('keeps a failed training visible until the next one starts', async () => {
    const { home, agency } = world.members;
    const status = async (member = home.viewer) =>
      (await (await call(world.app, member, 'GET', '/api/targeting/models/training')).json()) as {
        items: Record<string, unknown>[];
      };
    const res = await call(world.app, home.analyst, 'POST', '/api/targeting/models', {
      objective: 'fraud',
      until: '2019-01-01',
    });
    expect(res.status).toBe(400);
    expect((await status()).items).toEqual([
      expect.objectContaining({
        objective: 'fraud',
        status: 'failed',
        startedBy: home.analyst.id,
        error: 'no inspected declarations to train on',
      }),
    ]);
    expect((await status(agency.viewer)).items).toEqual([]);
    const ok = await call(world.app, home.analyst, 'POST', '/api/targeting/models', {
      objective: 'fraud',
      until: '2020-02-01',
    });
    expect(ok.status).toBe(201);
    expect((await status()).items).toEqual([]);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await (await world.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/targeting/queue',
        '/api/targeting/declarations/{id}',
        '/api/targeting/rules',
      ]),
    );
  });
});
