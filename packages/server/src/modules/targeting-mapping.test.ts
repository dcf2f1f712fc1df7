import { KCS_HS6_MAPPING } from '@interdict/targeting';
import { idOf, kcsAsOtherSchema, kcsDayWithImporters } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../testing';

// Declarations of another schema uploaded through the jobs API with a column mapping file
// (issue 6 §1): a bad mapping is refused as a problem with its reason and nothing is stored; a
// good one stores the declarations, which only the uploading organisation reads.

const DAY = '2021-01-04';
const { text: kcsText, rows } = kcsDayWithImporters(DAY, [{ name: 'ACME TRADING', country: 'MX' }]);
const { text, mapping } = kcsAsOtherSchema(kcsText, KCS_HS6_MAPPING.columns);
const namedId = idOf(rows[rows.length - 1]!);

let world: World;

beforeAll(async () => {
  world = await makeWorld();
});

afterAll(async () => {
  // The services first (their scoring threads, the ledger's sequencer), then the store.
  await closeWorld(world);
});

const upload = (mappingFile?: string) => {
  const form = new FormData();
  form.set('kind', 'declarations');
  form.set('file', new File([text], 'export.csv'));
  if (mappingFile !== undefined)
    form.set('mapping', new File([mappingFile], 'mapping.json', { type: 'application/json' }));
  return call(world.app, world.members.home.analyst, 'POST', '/api/jobs', form);
};

async function finished(id: string): Promise<{ status: string; error: string | null }> {
  for (;;) {
    const job = (await (
      await call(world.app, world.members.home.analyst, 'GET', `/api/jobs/${id}`)
    ).json()) as { status: string; error: string | null };
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const days = async () =>
  (
    (await (
      await call(world.app, world.members.home.viewer, 'GET', '/api/targeting/days')
    ).json()) as { items: unknown[] }
  ).items;

describe('declarations upload with a column mapping', () => {
  it('lists the mapping file among what a declarations job takes', async () => {
    const kinds = (await (
      await call(world.app, world.members.home.viewer, 'GET', '/api/ingest-kinds')
    ).json()) as { items: { kind: string; attachments?: { name: string }[] }[] };
    expect(kinds.items.find((k) => k.kind === 'declarations')?.attachments).toEqual([
      { name: 'mapping', description: expect.stringMatching(/column mapping/i) as unknown },
    ]);
  });

  it('refuses a bad mapping with a problem naming the reason, and records no job', async () => {
    const jobsBefore = await call(world.app, world.members.home.analyst, 'GET', '/api/jobs');
    const before = ((await jobsBefore.json()) as { items: unknown[] }).items.length;
    const bad = await upload(JSON.stringify({ columns: { ...mapping.columns, colour: 'x' } }));
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await bad.json()).toMatchObject({
      status: 422,
      code: 'BAD_MAPPING',
      detail: expect.stringMatching(/unknown field "colour"/) as unknown,
      details: { field: 'colour', file: 'mapping' },
    });
    const notJson = await upload('{"columns": ');
    expect(notJson.status).toBe(422);
    expect(await notJson.json()).toMatchObject({
      detail: expect.stringMatching(/not valid JSON/) as unknown,
    });
    const jobsAfter = await call(world.app, world.members.home.analyst, 'GET', '/api/jobs');
    expect(((await jobsAfter.json()) as { items: unknown[] }).items).toHaveLength(before);
    expect(await days()).toEqual([]);
  });

  it('fails the job with the reason when no mapping is sent for another schema', async () => {
    const res = await upload();
    expect(res.status).toBe(202);
    const job = await finished(((await res.json()) as { id: string }).id);
    expect(job).toMatchObject({ status: 'failed' });
    expect(job.error).toMatch(/matches no known declaration schema/);
    expect(await days()).toEqual([]);
  });

  it('stores the declarations read through the mapping, for the uploading organisation only', async () => {
    const res = await upload(JSON.stringify(mapping));
    expect(res.status).toBe(202);
    const job = await finished(((await res.json()) as { id: string }).id);
    expect(job.error ?? '').toBe('');
    expect(job.status).toBe('succeeded');
    expect(await days()).toMatchObject([{ date: DAY, declarations: rows.length }]);
    const detail = await call(
      world.app,
      world.members.home.viewer,
      'GET',
      `/api/targeting/declarations/${namedId}`,
    );
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({
      parties: [{ role: 'importer', name: 'ACME TRADING', country: 'MX' }],
    });
    const other = await call(
      world.app,
      world.members.agency.viewer,
      'GET',
      `/api/targeting/declarations/${namedId}`,
    );
    expect(other.status).toBe(404);
  });
});
