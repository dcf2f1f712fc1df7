import { dateOf, kcsLines } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../testing';
import { ingestText } from './targeting-test-data';

// The training split only: February 2020 to learn from (`until` 2020-03-01), the first days of
// March 2020 with their labels as the declarations inspected after the model's training data.
const train = kcsLines('df_syn_train_eng.csv');
const rows = train.filter((l, i) => i > 0 && dateOf(l) >= '2020-02-01' && dateOf(l) < '2020-03-05');
const text = [train[0]!, ...rows].join('\n') + '\n';
const later = rows.filter((l) => dateOf(l) >= '2020-03-01');
/** The KCS row's `Fraud` column (the one before `Critical Fraud`, the last). */
const fraudOf = (line: string) => Number(line.split(',').at(-2));

let world: World;
let modelId: string;

beforeAll(async () => {
  world = await makeWorld();
  await ingestText(world, 'declarations', 'declarations.csv', text);
  const trained = await call(
    world.app,
    world.members.home.analyst,
    'POST',
    '/api/targeting/models',
    {
      objective: 'fraud',
      until: '2020-03-01',
    },
  );
  expect(trained.status).toBe(201);
  modelId = ((await trained.json()) as { id: string }).id;
}, 300_000);

afterAll(async () => {
  // The services first (their scoring threads, the ledger's sequencer), then the store.
  await closeWorld(world);
});

describe('GET /api/targeting/models/{id}/evaluation', () => {
  it('gives Precision/Recall@n% on the declarations inspected after the training data', async () => {
    const res = await call(
      world.app,
      world.members.home.viewer,
      'GET',
      `/api/targeting/models/${modelId}/evaluation`,
    );
    expect(res.status).toBe(200);
    const e = (await res.json()) as {
      status: string;
      trainedThrough: string;
      firstDate: string;
      lastDate: string;
      days: number;
      all: { inspected: number; positives: number; metrics: { percent: number }[] };
      randomShare: unknown;
    };
    expect(e.status).toBe('ok');
    expect(e.trainedThrough).toBe('2020-02-29');
    expect([e.firstDate, e.lastDate, e.days]).toEqual([
      '2020-03-01',
      '2020-03-04',
      new Set(later.map(dateOf)).size,
    ]);
    expect(e.all.inspected).toBe(later.length);
    expect(e.all.positives).toBe(later.filter((l) => fraudOf(l) === 1).length);
    expect(e.all.metrics.map((m) => m.percent)).toEqual([1, 2, 5, 10]);
    // No day was scored, so no declaration was picked by the random share.
    expect(e.randomShare).toBeNull();
  });

  it('labels the training-time figures as the early-stopping slice in the list of models', async () => {
    const res = await call(world.app, world.members.home.viewer, 'GET', '/api/targeting/models');
    const { items } = (await res.json()) as {
      items: { id: string; earlyStoppingSlice: { label: string } | null; training: object }[];
    };
    const model = items.find((m) => m.id === modelId);
    expect(model?.earlyStoppingSlice?.label).toBe(
      'early-stopping slice (the model chose its number of trees on it)',
    );
    expect(model?.training).not.toHaveProperty('holdoutMetrics');
  });

  it('answers problems for the signed-out, the unentitled, another organisation and an unknown id', async () => {
    const { home, agency } = world.members;
    const path = `/api/targeting/models/${modelId}/evaluation`;
    expect((await call(world.app, undefined, 'GET', path)).status).toBe(401);
    expect((await call(world.app, home.partner, 'GET', path)).status).toBe(403);
    for (const [member, url] of [
      [agency.admin, path],
      [home.admin, '/api/targeting/models/no-such-model/evaluation'],
    ] as const) {
      const res = await call(world.app, member, 'GET', url);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = (await res.json()) as { status: number; detail: string };
      expect(problem.status).toBe(404);
      expect(problem.detail).toMatch(/not found/);
    }
    // The list of versions is scoped too: the agency sees none of the home organisation's.
    const list = await call(world.app, agency.admin, 'GET', '/api/targeting/models');
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
    expect((await call(world.app, home.partner, 'GET', '/api/targeting/models')).status).toBe(403);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await world.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, { get?: { responses?: Record<string, unknown> } }>;
    };
    expect(
      Object.keys(doc.paths['/api/targeting/models/{id}/evaluation']?.get?.responses ?? {}),
    ).toEqual(expect.arrayContaining(['200', '404']));
  });
});
