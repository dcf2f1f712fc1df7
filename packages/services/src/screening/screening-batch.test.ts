import { ScreeningIndex, type Entity } from '@interdict/screening';
import { describe, expect, it } from 'vitest';
import { BATCH_YIELD_ABOVE, screenBatch } from './screening-batch';

// A handful of listed entities written for this test.
const entity = (id: string, name: string): Entity => ({
  id,
  list: 'test',
  sourceId: id.split(':')[1]!,
  schema: 'Person',
  names: [{ full: name, quality: 'primary' }],
  birthDates: [],
  birthPlaces: [],
  nationalities: [],
  countries: [],
  identifiers: [],
  addresses: [],
  programs: ['SDNTK'],
});

const index = ScreeningIndex.build([
  entity('test:1', 'Hector Zambrano Ortega'),
  entity('test:2', 'Dmitri Ivanovich Kovalenko'),
  entity('test:3', 'Maria Fernanda Lopez'),
]);
const names = ['Hector Zambrano', 'Dmitri Kovalenko', 'Maria Lopez', 'Nobody Atall', 'Ortega H'];

describe('screenBatch', () => {
  it('answers a large batch exactly as one query at a time, in order', async () => {
    const queries = Array.from({ length: 3 * BATCH_YIELD_ABOVE + 7 }, (_, i) => ({
      name: names[i % names.length]!,
    }));
    const batch = await screenBatch(index, queries, { threshold: 0.5, limit: 5 });
    expect(batch).toEqual(queries.map((q) => index.search(q, { threshold: 0.5, limit: 5 })));
    expect(batch[1]?.[0]?.entity.id).toBe('test:2');
  });

  it('lets other work run while a large batch is screened, not while a small one is', async () => {
    const run = async (n: number) => {
      let ran = false;
      setImmediate(() => (ran = true));
      await screenBatch(
        index,
        Array.from({ length: n }, () => ({ name: 'Hector Zambrano' })),
        {},
      );
      return ran;
    };
    // A macrotask queued before the call has run by the time a sliced batch is done.
    expect(await run(BATCH_YIELD_ABOVE + 1)).toBe(true);
    expect(await run(BATCH_YIELD_ABOVE)).toBe(false);
  });

  it('refuses a bad query in a large batch as a single query would', async () => {
    const queries = Array.from({ length: BATCH_YIELD_ABOVE + 10 }, (_, i) => ({
      name: i === BATCH_YIELD_ABOVE + 5 ? '---' : 'Maria Lopez',
    }));
    await expect(screenBatch(index, queries, {})).rejects.toMatchObject({ code: 'NAME_EMPTY' });
  });
});
