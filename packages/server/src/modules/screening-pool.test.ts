import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../testing';

// Small OFAC legacy sdn.csv files written for this test; the newer one adds entry 303.
const sdnRow = (id: number, name: string) =>
  `${id},"${name}","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;
const OLD_SDN = sdnRow(301, 'ZAMBRANO ORTEGA, Hector');
const NEW_SDN = [OLD_SDN, sdnRow(303, 'KOVALENKO, Dmitri Ivanovich')].join('\r\n');

interface Match {
  listVersions: string[];
  results: { hits: { entityId: string }[] }[];
}

describe('screening match on worker threads', () => {
  let w: World;
  const ingest = async (sourceName: string, text: string) => {
    const { job } = await w.services.ingest.run(await w.store.systemActor(), {
      kind: 'ofac-sdn',
      sourceName,
      input: Readable.from([new TextEncoder().encode(text)]) as AsyncIterable<Uint8Array>,
    });
    expect(job.status, job.error ?? '').toBe('succeeded');
  };
  const match = (names: string[]) =>
    call(w.app, w.members.agency.officer, 'POST', '/api/screening/match', {
      queries: names.map((name) => ({ name })),
    });

  beforeAll(async () => {
    w = await makeWorld();
    await ingest('sdn-2024-01-01.csv', OLD_SDN);
  });
  afterAll(async () => {
    await closeWorld(w);
  });

  it('answers 503 with Retry-After while the workers build, other routes meanwhile', async () => {
    // The service reads its wait on every match (INTERDICT_SCREENING_WAIT_MS at start-up).
    const wait = w.services.settings.screeningWaitMs;
    w.services.settings.screeningWaitMs = 0;
    const warming = await match(['Hector Zambrano Ortega']);
    expect(warming.status).toBe(503);
    expect(warming.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(warming.headers.get('content-type')).toContain('application/problem+json');
    expect(((await warming.json()) as { code: string }).code).toBe('SCREENING_WARMING_UP');
    expect(
      (await call(w.app, w.members.agency.officer, 'GET', '/api/screening/lists')).status,
    ).toBe(200);
    w.services.settings.screeningWaitMs = wait;
    const ready = await match(['Hector Zambrano Ortega']);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Match;
    expect(body.results[0]?.hits[0]?.entityId).toBe('ofac:301');
  });

  it('uses the new list version after an update, and names it', async () => {
    const before = (await (await match(['Dmitri Kovalenko'])).json()) as Match;
    expect(before.results[0]?.hits).toEqual([]);
    await ingest('sdn-2024-02-01.csv', NEW_SDN);
    const after = (await (
      await match(['Dmitri Kovalenko', 'Hector Zambrano Ortega'])
    ).json()) as Match;
    expect(after.listVersions).not.toEqual(before.listVersions);
    expect(after.listVersions).toEqual(['ofac@2024-02-01']);
    expect(after.results.map((r) => r.hits[0]?.entityId)).toEqual(['ofac:303', 'ofac:301']);
  });

  it('answers exactly as the main-thread matcher does', async () => {
    const queries = [
      { name: 'Dmitri Kovalenko', birthDate: '1990' },
      { name: 'Hector Zambrano', nationality: 'mx' },
      { name: 'Nobody Atall' },
    ];
    const ask = async (world: World) => {
      const res = await call(
        world.app,
        world.members.agency.analyst,
        'POST',
        '/api/screening/match',
        {
          queries,
          threshold: 0.5,
        },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      return (await res.json()) as Match;
    };
    // INTERDICT_SCREENING_WORKERS=0: the other instance screens on the thread that answers.
    const other = await makeWorld({}, { screeningWorkers: '0' });
    try {
      for (const [name, text] of [
        ['sdn-2024-01-01.csv', OLD_SDN],
        ['sdn-2024-02-01.csv', NEW_SDN],
      ] as const) {
        const { job } = await other.services.ingest.run(await other.store.systemActor(), {
          kind: 'ofac-sdn',
          sourceName: name,
          input: Readable.from([new TextEncoder().encode(text)]) as AsyncIterable<Uint8Array>,
        });
        expect(job.status, job.error ?? '').toBe('succeeded');
      }
      const onMainThread = await ask(other);
      expect(other.services.screening.workerPool).toBeUndefined();
      const inWorkers = await ask(w);
      expect(inWorkers.results[0]?.hits[0]?.entityId).toBe('ofac:303');
      expect(inWorkers).toEqual(onMainThread);
    } finally {
      await closeWorld(other);
    }
  });

  it('screens monitored parties on the pool: when added, and again after a list update', async () => {
    expect((await match(['Hector Zambrano Ortega'])).status).toBe(200); // the pool runs
    const pool = w.services.screening.workerPool!;
    expect(pool).toBeDefined();
    const search = vi.spyOn(pool, 'search');
    const ownBuild = vi.spyOn(pool, 'withGeneration');
    try {
      const analyst = w.members.agency.analyst;
      const added = await call(w.app, analyst, 'POST', '/api/screening/parties', {
        name: 'Dmitri Kovalenko',
        schema: 'Person',
      });
      expect(added.status).toBe(201);
      expect(((await added.json()) as { hits: { entityId: string }[] }).hits).toMatchObject([
        { entityId: 'ofac:303' },
      ]);
      // On the generation in force: no index of its own was built.
      expect(search).toHaveBeenCalledTimes(1);
      expect(ownBuild).not.toHaveBeenCalled();
      const party = await call(w.app, analyst, 'POST', '/api/screening/parties', {
        name: 'Ivan Petrenko',
      });
      expect(((await party.json()) as { hits: unknown[] }).hits).toEqual([]);
      await ingest('sdn-2024-03-01.csv', [NEW_SDN, sdnRow(304, 'PETRENKO, Ivan')].join('\r\n'));
      // The import re-screened on a generation of its own (its version was not yet committed).
      expect(ownBuild).toHaveBeenCalledTimes(1);
      const alerts = await call(w.app, w.members.agency.officer, 'GET', '/api/screening/alerts');
      const items = ((await alerts.json()) as { items: { entityId: string }[] }).items;
      expect(items.map((a) => a.entityId)).toEqual(['ofac:304']);
      // Match requests see the new version at once, and name it.
      const after = (await (await match(['Ivan Petrenko'])).json()) as Match;
      expect(after.listVersions).toEqual(['ofac@2024-03-01']);
      expect(after.results[0]?.hits[0]?.entityId).toBe('ofac:304');
    } finally {
      search.mockRestore();
      ownBuild.mockRestore();
    }
  });
});
