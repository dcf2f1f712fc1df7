import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeWorld, type World } from '../testing';
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
  await world?.store.close();
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
