import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type Member, type World } from '../testing';

// The bad-row policy of a declarations upload, sent in the form field `onBadRow` (issue 6:
// "skipped or refused per a flag; nothing is half-stored"): an unknown value is a problem and no
// job, `skip` stores the good rows and lists the others by line, `refuse` stores nothing.

const MAPPING = JSON.stringify({
  name: 'national-entries',
  columns: { id: 'entry_no', date: 'accepted', hsCode: 'tariff_line', itemPrice: 'value' },
});
const CSV = [
  'entry_no,accepted,tariff_line,value',
  'N-1,2024-05-01,870323,100', // line 2
  'N-2,2024-05-01,87x323,100', // line 3: not an HS code
  'N-3,,870323,100', // line 4: no date
  'N-4,2024-05-02,870323,12', // line 5
].join('\n');

let world: World;

beforeAll(async () => {
  world = await makeWorld();
});

afterAll(async () => {
  // The services first (their scoring threads, the ledger's sequencer), then the store.
  await closeWorld(world);
});

const upload = (fields: Record<string, string>, as: Member = world.members.home.analyst) => {
  const form = new FormData();
  form.set('kind', fields.kind ?? 'declarations');
  form.set('file', new File([CSV], 'entries.csv'));
  form.set('mapping', new File([MAPPING], 'mapping.json', { type: 'application/json' }));
  for (const [name, value] of Object.entries(fields)) if (name !== 'kind') form.set(name, value);
  return call(world.app, as, 'POST', '/api/jobs', form);
};

interface JobBody {
  id: string;
  status: string;
  error: string | null;
  summary: Record<string, unknown> | null;
}

async function finished(id: string): Promise<JobBody> {
  for (;;) {
    const job = (await (
      await call(world.app, world.members.home.analyst, 'GET', `/api/jobs/${id}`)
    ).json()) as JobBody;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobCount = async () =>
  (
    (await (await call(world.app, world.members.home.admin, 'GET', '/api/jobs')).json()) as {
      items: unknown[];
    }
  ).items.length;
const days = async () =>
  (
    (await (
      await call(world.app, world.members.home.viewer, 'GET', '/api/targeting/days')
    ).json()) as { items: { date: string; declarations: number }[] }
  ).items;

describe('declarations upload: bad-row policy', () => {
  it('lists onBadRow among the options of a declarations job', async () => {
    const kinds = (await (
      await call(world.app, world.members.home.viewer, 'GET', '/api/ingest-kinds')
    ).json()) as { items: { kind: string; options?: unknown[] }[] };
    expect(kinds.items.find((k) => k.kind === 'declarations')?.options).toEqual([
      expect.objectContaining({ name: 'onBadRow', values: ['refuse', 'skip'], default: 'refuse' }),
    ]);
    expect(kinds.items.find((k) => k.kind === 'bts-ports')?.options).toBeUndefined();
  });

  it('refuses an unknown policy, or the field with another kind, as a 400 problem and records no job', async () => {
    const before = await jobCount();
    const bad = await upload({ onBadRow: 'ignore' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await bad.json()).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENT',
      detail: expect.stringMatching(/"onBadRow" must be one of refuse, skip/) as unknown,
      details: { field: 'onBadRow', allowed: ['refuse', 'skip'] },
    });
    const form = new FormData();
    form.set('kind', 'bts-ports');
    form.set('file', new File(['x'], 'ports.csv'));
    form.set('onBadRow', 'skip');
    const other = await call(world.app, world.members.home.analyst, 'POST', '/api/jobs', form);
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringMatching(/bts-ports takes no "onBadRow" option/) as unknown,
    });
    expect(await jobCount()).toBe(before);
    expect(await days()).toEqual([]);
  });

  it('does not let a viewer or officer start a job, whatever the policy', async () => {
    const before = await jobCount();
    for (const member of [world.members.home.viewer, world.members.home.officer]) {
      const res = await upload({ onBadRow: 'skip' }, member);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect(await jobCount()).toBe(before);
    expect(await days()).toEqual([]);
  });

  it('with refuse (and by default) fails at the first bad line and stores nothing', async () => {
    for (const fields of [{}, { onBadRow: 'refuse' }] as Record<string, string>[]) {
      const res = await upload(fields);
      expect(res.status).toBe(202);
      const job = await finished(((await res.json()) as { id: string }).id);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/2 bad row\(s\); first at line 3: tariff_line: not an HS code/);
    }
    expect(await days()).toEqual([]);
  });

  it('with skip stores the good rows and lists the skipped ones by line, column and reason', async () => {
    const res = await upload({ onBadRow: 'skip' });
    expect(res.status).toBe(202);
    const job = await finished(((await res.json()) as { id: string }).id);
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(job.summary).toMatchObject({
      declarations: 2,
      onBadRow: 'skip',
      skippedRows: 2,
      skipped: [
        { line: 3, field: 'tariff_line', reason: 'not an HS code: "87x323"' },
        { line: 4, field: 'accepted', reason: 'missing' },
      ],
      skippedNotListed: 0,
    });
    expect(await days()).toEqual([
      expect.objectContaining({ date: '2024-05-02', declarations: 1 }),
      expect.objectContaining({ date: '2024-05-01', declarations: 1 }),
    ]);
    const skipped = await call(
      world.app,
      world.members.home.viewer,
      'GET',
      '/api/targeting/declarations/N-2',
    );
    expect(skipped.status).toBe(404);
  });
});
