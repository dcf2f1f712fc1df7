import { Readable } from 'node:stream';
import { parseOfac, type Entity } from '@interdict/screening';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '@interdict/store';
import { ScreeningWorkerPool, screeningWorkerCount, type ScreeningPoolSource } from './worker-pool';

// Two tiny OFAC legacy sdn.csv lists written for this test: version A lists Hector Zambrano
// Ortega, version B replaces him with Dmitri Kovalenko.
const row = (id: number, name: string) =>
  `${id},"${name}","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `;

async function entities(csv: string): Promise<Entity[]> {
  const parsed = await parseOfac({
    sdn: Readable.from([new TextEncoder().encode(csv)]) as AsyncIterable<Uint8Array>,
  });
  return [...parsed.entities];
}

describe('screening worker pool', () => {
  let pool: ScreeningWorkerPool;
  let A: ScreeningPoolSource;
  let B: ScreeningPoolSource;

  beforeAll(async () => {
    pool = new ScreeningWorkerPool(2);
    A = {
      key: 'a',
      listVersions: ['ofac@A'],
      entitiesJson: JSON.stringify(await entities(row(101, 'ZAMBRANO ORTEGA, Hector'))),
    };
    B = {
      key: 'b',
      listVersions: ['ofac@B'],
      entitiesJson: JSON.stringify(await entities(row(103, 'KOVALENKO, Dmitri Ivanovich'))),
    };
  });
  afterAll(async () => {
    await pool.close();
  });

  it('answers in input order with explained hits, over both workers', async () => {
    const gen = await pool.generationFor('a', () => Promise.resolve(A));
    expect(gen.listVersions).toEqual(['ofac@A']);
    const queries = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0 ? { name: 'Hector Zambrano Ortega' } : null,
    );
    const { generation, hits } = await pool.search(queries, { threshold: 0.7 }, {}, gen);
    expect(generation.listVersions).toEqual(['ofac@A']);
    expect(hits).toHaveLength(50);
    hits.forEach((h, i) => {
      if (i % 2 === 0) {
        expect(h[0]).toMatchObject({ entityId: 'ofac:101', score: 1, list: 'ofac' });
        expect(h[0]?.explanation?.matchedName).toBeTruthy();
      } else expect(h).toEqual([]);
    });
  });

  it('swaps versions atomically: a request started on A is answered wholly from A', async () => {
    const a = await pool.generationFor('a', () => Promise.resolve(A));
    const queries = Array.from({ length: 400 }, () => ({ name: 'Hector Zambrano Ortega' }));
    const onA = pool.search(queries, { threshold: 0.7 }, { chunkSize: 10 }, a);
    // Version B is built while A's chunks are still being answered.
    let reads = 0;
    const b = await pool.generationFor('b', () => {
      reads++;
      return Promise.resolve(B);
    });
    const fromA = await onA;
    expect(fromA.generation.listVersions).toEqual(['ofac@A']);
    expect(fromA.hits.every((h) => h[0]?.entityId === 'ofac:101')).toBe(true);
    expect(b.listVersions).toEqual(['ofac@B']);
    expect(reads).toBe(1);
    const fromB = await pool.search(
      [{ name: 'Hector Zambrano Ortega' }, { name: 'Dmitri Kovalenko' }],
      { threshold: 0.7 },
    );
    expect(fromB.generation.listVersions).toEqual(['ofac@B']);
    expect(fromB.hits[0]).toEqual([]);
    expect(fromB.hits[1]?.[0]?.entityId).toBe('ofac:103');
    // The same key again builds nothing.
    await pool.generationFor('b', () => Promise.reject(new Error('must not read again')));
  });

  it('fails a bad query with its screening code, or gives it no hits when asked to', async () => {
    await expect(pool.search([{ name: '---' }], {})).rejects.toMatchObject({ code: 'NAME_EMPTY' });
    const { hits } = await pool.search(
      [{ name: '---' }, { name: 'Dmitri Kovalenko' }],
      {},
      {
        onError: 'empty',
      },
    );
    expect(hits[0]).toEqual([]);
    expect(hits[1]?.[0]?.entityId).toBe('ofac:103');
  });

  it('refuses a generation that is no longer loaded, and a pool that is closed', async () => {
    const stale = { gen: -1, key: 'a', listVersions: ['ofac@A'] };
    await expect(pool.search([{ name: 'x y' }], {}, {}, stale)).rejects.toBeInstanceOf(StoreError);
    const other = new ScreeningWorkerPool(1);
    await other.close();
    await expect(other.search([{ name: 'x y' }], {})).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });

  it('fails the work in flight when it is closed (nothing is left pending)', async () => {
    const other = new ScreeningWorkerPool(1);
    const generation = await other.generationFor(A.key, () => Promise.resolve(A));
    // Many queries, so the worker is still busy with them when the pool closes.
    const queries = Array.from({ length: 2000 }, (_, i) => ({ name: `Hector Zambrano ${i}` }));
    const settled = (p: Promise<unknown>) =>
      p.then(
        () => 'settled without error',
        (e: unknown) => e,
      );
    const inFlight = settled(other.search(queries, { threshold: 0.5 }, {}, generation));
    const building = settled(other.generationFor(B.key, () => Promise.resolve(B)));
    // Let the build hand its load to the worker: the close then finds it in flight.
    await new Promise((resolve) => setImmediate(resolve));
    await other.close();
    expect(await inFlight).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await building).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('reads its size from INTERDICT_SCREENING_WORKERS', () => {
    expect(screeningWorkerCount('3')).toBe(3);
    expect(screeningWorkerCount('0')).toBe(0);
    expect(screeningWorkerCount(undefined)).toBeGreaterThan(0);
    expect(() => screeningWorkerCount('two')).toThrow(/INTERDICT_SCREENING_WORKERS/);
  });
});
