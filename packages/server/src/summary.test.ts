import { Readable } from 'node:stream';
import { runIngestJob, type Actor } from '@interdict/store';
import { kcsLines, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeWorld, type Member, type World } from './testing';

// GET /api/summary counts an organisation's own records (targeting declarations and inspection
// results) for that organisation only: QA found every organisation's totals shown to users of
// other agencies. Public reference data (sanctions lists, analytics datasets, the public ledger)
// is counted for everyone.

const train = kcsLines('df_syn_train_eng.csv');

/** `rows` KCS declarations, header first, of which the first `labelled` carry Fraud labels. */
function declarations(from: number, rows: number, labelled: number): string {
  const body = train
    .slice(1 + from, 1 + from + rows)
    .map((l, i) => (i < labelled ? l : unlabelled(l)));
  return [train[0]!, ...body].join('\n') + '\n';
}

async function ingest(world: World, actor: Actor, text: string): Promise<void> {
  const job = await runIngestJob(world.store, actor, {
    kind: 'declarations',
    sourceName: 'declarations.csv',
    input: Readable.from([new TextEncoder().encode(text)], {
      objectMode: true,
    }) as AsyncIterable<Uint8Array>,
  });
  if (job.status !== 'succeeded') throw new Error(job.error ?? 'declarations ingest failed');
}

interface Summary {
  items: { capability: string; label: string; count: number }[];
}

async function summary(world: World, member: Member | undefined): Promise<Response> {
  return call(world.app, member, 'GET', '/api/summary');
}

async function targetingLines(world: World, member: Member): Promise<Record<string, number>> {
  const res = await summary(world, member);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Summary;
  return Object.fromEntries(
    body.items.filter((i) => i.capability === 'targeting').map((i) => [i.label, i.count]),
  );
}

let world: World;

beforeAll(async () => {
  world = await makeWorld();
  // Different sizes, so that a total over both organisations differs from either one's count.
  await ingest(world, await world.store.systemActor(), declarations(0, 300, 200));
  await ingest(
    world,
    { userId: null, organisationId: world.agencyId, role: 'admin' },
    declarations(300, 120, 50),
  );
}, 120_000);

afterAll(async () => {
  await world?.store.close();
});

describe('GET /api/summary', () => {
  it("counts each organisation's declarations and inspections for that organisation only", async () => {
    for (const role of ['admin', 'analyst', 'officer', 'viewer'] as const) {
      expect(await targetingLines(world, world.members.home[role])).toEqual({
        'Customs declarations': 300,
        'Inspection results': 200,
      });
      expect(await targetingLines(world, world.members.agency[role])).toEqual({
        'Customs declarations': 120,
        'Inspection results': 50,
      });
    }
  });

  it('shows a partner, who may not read targeting, no targeting line', async () => {
    expect(await targetingLines(world, world.members.agency.partner)).toEqual({});
    expect(await targetingLines(world, world.members.home.partner)).toEqual({});
  });

  it('refuses an anonymous caller with 401 problem details', async () => {
    const res = await summary(world, undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('counts the store of the app that serves the request (a second app in the process)', async () => {
    // Each app's services count their own store: a process-wide provider that counted the store
    // it was first registered with (as the old summary registry did) would show the first app's
    // counts here.
    const other = await makeWorld();
    try {
      await ingest(other, await other.store.systemActor(), declarations(500, 40, 10));
      expect(await targetingLines(other, other.members.home.viewer)).toEqual({
        'Customs declarations': 40,
        'Inspection results': 10,
      });
      expect(await targetingLines(other, other.members.agency.viewer)).toEqual({
        'Customs declarations': 0,
        'Inspection results': 0,
      });
    } finally {
      await other.store.close();
    }
  }, 120_000);
});
