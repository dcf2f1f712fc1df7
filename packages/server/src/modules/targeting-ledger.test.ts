import { dateOf, idOf, kcsLines, kcsTrainText, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type Member, type World } from '../testing';
import { ingestText } from './targeting-test-data';

// Targeting's decisions on the ledger through the API (issue 12 §6): each decision's entry is on
// its record's page (GET /api/ledger/subjects/{type}/{id}) and its body, read by a member of the
// organisation, names the change; a member of another organisation gets 404 on the entry and no
// items on the page; bad input is refused and leaves no entry. And the release route.

const DAY = '2021-01-04';
const valid = kcsLines('df_syn_valid_eng.csv');
const dayRows = valid.filter((l) => dateOf(l) === DAY);
const dayText = [valid[0]!, ...dayRows.map(unlabelled)].join('\n') + '\n';

interface Entry {
  index: number;
  recordType: string;
  body: Record<string, unknown> | null;
  subject: { type: string; id: string };
  proof: string | null;
}
interface Item {
  id: string;
  lane: string;
  inspect: boolean;
  selectedBy: string | null;
  reasons: string[];
  inspection: unknown;
  release: Record<string, unknown> | null;
}

let world: World;

beforeAll(async () => {
  world = await makeWorld();
  await ingestText(world, 'declarations', 'train.csv', kcsTrainText('2020-02-01'));
  await ingestText(world, 'declarations', 'day.csv', dayText);
}, 300_000);

afterAll(async () => {
  await closeWorld(world);
});

/** Every ledger entry of every organisation, counted. */
async function ledgerSize(): Promise<number> {
  const r = await world.store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function entriesAbout(member: Member, type: string, id: string): Promise<Entry[]> {
  const res = await call(world.app, member, 'GET', `/api/ledger/subjects/${type}/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Entry[] }).items;
}

/**
 * The record's entries of `recordType`, each read again by index as a viewer of the
 * organisation, and shown to no one of the agency (404 on the entry, nothing on the page).
 */
async function committed(type: string, id: string, recordType: string): Promise<Entry[]> {
  const { home, agency } = world.members;
  const entries = (await entriesAbout(home.viewer, type, id)).filter(
    (e) => e.recordType === recordType,
  );
  expect(entries.length).toBeGreaterThan(0);
  for (const e of entries) {
    const res = await call(world.app, home.viewer, 'GET', `/api/ledger/entries/${e.index}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Entry).body).toEqual(e.body);
    for (const outsider of [agency.admin, agency.officer]) {
      expect(
        (await call(world.app, outsider, 'GET', `/api/ledger/entries/${e.index}`)).status,
      ).toBe(404);
      expect(await entriesAbout(outsider, type, id)).toEqual([]);
    }
  }
  return entries;
}

/** Expects the request to answer `status` and to add nothing to the ledger. */
async function refused(status: number, request: () => Promise<Response>): Promise<void> {
  const before = await ledgerSize();
  expect((await request()).status).toBe(status);
  expect(await ledgerSize()).toBe(before);
}

describe("targeting's decisions on the ledger, through the API", () => {
  it('a rule created and removed', async () => {
    const { home, agency } = world.members;
    const before = await ledgerSize();
    const res = await call(world.app, home.analyst, 'POST', '/api/targeting/rules', {
      lane: 'red',
      origin: 'CO',
      hsPrefix: '2933',
      explanation: 'precursors from CO',
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await ledgerSize()).toBe(before + 1);
    const [created] = await committed('targeting.rule', id, 'targeting.rule.created');
    expect(created?.body).toMatchObject({
      rule: id,
      before: null,
      after: { id, lane: 'red', origin: 'CO', explanation: 'precursors from CO' },
      by: { userId: home.analyst.id, role: 'analyst' },
    });

    await refused(404, () => call(world.app, agency.admin, 'DELETE', `/api/targeting/rules/${id}`));
    await refused(404, () =>
      call(world.app, home.analyst, 'DELETE', '/api/targeting/rules/no-such-rule'),
    );
    await refused(403, () => call(world.app, home.officer, 'DELETE', `/api/targeting/rules/${id}`));
    expect(
      (await call(world.app, home.analyst, 'DELETE', `/api/targeting/rules/${id}`)).status,
    ).toBe(204);
    expect(await ledgerSize()).toBe(before + 2);
    const [removed] = await committed('targeting.rule', id, 'targeting.rule.removed');
    expect(removed?.body).toMatchObject({
      before: { id, origin: 'CO' },
      after: null,
      by: { userId: home.analyst.id },
    });
  });

  it('a model trained and activated', async () => {
    const { home, agency } = world.members;
    await refused(400, () =>
      call(world.app, agency.admin, 'POST', '/api/targeting/models', { objective: 'fraud' }),
    );
    const before = await ledgerSize();
    const res = await call(world.app, home.analyst, 'POST', '/api/targeting/models', {
      objective: 'fraud',
    });
    expect(res.status).toBe(201);
    const model = (await res.json()) as { id: string; training: { rows: number } };
    expect(await ledgerSize()).toBe(before + 2);
    const [trained] = await committed('targeting.model', model.id, 'targeting.model.trained');
    expect(trained?.body).toMatchObject({
      model: model.id,
      objective: 'fraud',
      data: { declarations: model.training.rows },
      by: { userId: home.analyst.id },
    });
    expect(trained?.body?.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    const [activated] = await committed('targeting.model', model.id, 'targeting.model.activated');
    expect(activated?.body).toMatchObject({ model: model.id, active: { after: true } });
  });

  it("a day's selection", async () => {
    const { home, agency } = world.members;
    await refused(404, () =>
      call(world.app, agency.officer, 'POST', '/api/targeting/score', { date: DAY }),
    );
    await refused(404, () =>
      call(world.app, home.officer, 'POST', '/api/targeting/score', { date: '2022-01-01' }),
    );
    const before = await ledgerSize();
    const res = await call(world.app, home.officer, 'POST', '/api/targeting/score', {
      date: DAY,
      capacityCount: 12,
    });
    expect(res.status).toBe(200);
    const { lanes } = (await res.json()) as { lanes: Record<string, number> };
    expect(await ledgerSize()).toBe(before + 1);
    const [selected] = await committed('targeting.day', DAY, 'targeting.day.selected');
    const body = selected?.body as { lanes: Record<string, string[][]>; capacity: unknown };
    expect(body.capacity).toEqual({ count: 12 });
    for (const [lane, items] of Object.entries(body.lanes))
      expect(items.length, lane).toBe(lanes[lane]);
    // Red means inspected: each red declaration says why it was picked.
    expect(
      body.lanes.red!.every(([, ...codes]) => codes.some((c) => c.startsWith('inspect:'))),
    ).toBe(true);
  });

  it('an inspection result recorded', async () => {
    const { home, agency } = world.members;
    const id = idOf(dayRows[0]!);
    const path = `/api/targeting/declarations/${id}/inspection`;
    await refused(404, () =>
      call(world.app, agency.officer, 'POST', path, { fraud: 0, critical: 0 }),
    );
    await refused(404, () =>
      call(world.app, home.officer, 'POST', '/api/targeting/declarations/nope/inspection', {
        fraud: 0,
        critical: 0,
      }),
    );
    await refused(403, () => call(world.app, home.viewer, 'POST', path, { fraud: 0, critical: 0 }));
    const before = await ledgerSize();
    const res = await call(world.app, home.officer, 'POST', path, {
      fraud: 1,
      critical: 1,
      note: 'undervalued',
    });
    expect(res.status).toBe(200);
    expect(await ledgerSize()).toBe(before + 1);
    const [recorded] = await committed(
      'targeting.declaration',
      id,
      'targeting.inspection.recorded',
    );
    expect(recorded?.body).toMatchObject({
      declaration: id,
      date: DAY,
      before: null,
      after: { fraud: 1, critical: 1, note: 'undervalued' },
      by: { userId: home.officer.id, role: 'officer' },
    });
  });

  it('a red-lane declaration released by an officer, and every release refused', async () => {
    const { home, agency } = world.members;
    const queue = (
      (await (
        await call(world.app, home.officer, 'GET', `/api/targeting/queue?date=${DAY}&limit=5000`)
      ).json()) as { items: Item[] }
    ).items;
    const red = queue.find((q) => q.lane === 'red' && q.inspection === null)!;
    const green = queue.find((q) => q.lane === 'green')!;
    const path = (id: string) => `/api/targeting/declarations/${id}/release`;
    const reason = { reason: 'cleared on documents at the border post' };

    await refused(401, () => call(world.app, undefined, 'POST', path(red.id), reason));
    await refused(403, () => call(world.app, home.analyst, 'POST', path(red.id), reason));
    await refused(403, () => call(world.app, home.viewer, 'POST', path(red.id), reason));
    await refused(404, () => call(world.app, agency.officer, 'POST', path(red.id), reason));
    await refused(404, () => call(world.app, home.officer, 'POST', path('nope'), reason));
    await refused(409, () => call(world.app, home.officer, 'POST', path(green.id), reason));
    await refused(400, () => call(world.app, home.officer, 'POST', path(red.id), {}));
    await refused(400, () => call(world.app, home.officer, 'POST', path(red.id), { reason: ' ' }));
    await refused(400, () =>
      call(world.app, home.officer, 'POST', path(red.id), { ...reason, lane: 'green' }),
    );

    const before = await ledgerSize();
    const res = await call(world.app, home.officer, 'POST', path(red.id), reason);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: red.id,
      lane: 'green',
      inspect: false,
      release: {
        reason: reason.reason,
        releasedBy: home.officer.id,
        from: { lane: 'red', selectedBy: red.selectedBy },
      },
    });
    expect(await ledgerSize()).toBe(before + 1);
    const [released] = await committed(
      'targeting.declaration',
      red.id,
      'targeting.declaration.released',
    );
    expect(released?.body).toMatchObject({
      declaration: red.id,
      lane: { before: 'red', after: 'green' },
      reason: reason.reason,
      by: { userId: home.officer.id, role: 'officer' },
    });
    // Its lane and status show the release on the queue and on its page.
    const detail = (await (
      await call(world.app, home.viewer, 'GET', `/api/targeting/declarations/${red.id}`)
    ).json()) as Item;
    expect(detail).toMatchObject({
      lane: 'green',
      release: { reason: reason.reason, from: { lane: 'red' } },
    });
    const green2 = (await (
      await call(
        world.app,
        home.viewer,
        'GET',
        `/api/targeting/queue?date=${DAY}&lane=green&limit=5000`,
      )
    ).json()) as { items: Item[] };
    expect(green2.items.find((q) => q.id === red.id)).toMatchObject({
      inspect: false,
      release: { reason: reason.reason },
    });
    // The audit trail has it too.
    const audit = (await (
      await call(world.app, home.admin, 'GET', '/api/audit?limit=50')
    ).json()) as {
      items: { action: string; targetId: string | null }[];
    };
    expect(
      audit.items.some(
        (e) => e.action === 'targeting.declaration.release' && e.targetId === red.id,
      ),
    ).toBe(true);
    // Released once: not again.
    await refused(409, () => call(world.app, home.admin, 'POST', path(red.id), reason));
  });
});
