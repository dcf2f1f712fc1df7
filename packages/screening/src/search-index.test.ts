import { createReadStream } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { sharedData } from '@interdict/testkit';
import {
  parseOfac,
  parseUnConsolidated,
  ScreeningError,
  ScreeningIndex,
  PENALTY,
  type Entity,
} from './index';

const file = (...p: string[]) => createReadStream(sharedData('watchlists', ...p));

/** Ids of the hits that share the top score (namesakes on two lists tie). */
const top = (hits: readonly { entity: Entity; score: number }[]): string[] =>
  hits.filter((h) => h.score === hits[0]?.score).map((h) => h.entity.id);

describe('screening index over the real lists', async () => {
  const [ofac2021, ofac2024, un] = await Promise.all([
    parseOfac({
      sdn: file('ofac-sdn-2021-07-07', 'sdn.csv'),
      alt: file('ofac-sdn-2021-07-07', 'alt.csv'),
      add: file('ofac-sdn-2021-07-07', 'add.csv'),
    }),
    parseOfac({ sdn: file('ofac-sdn-2024-05-03', 'sdn.csv') }),
    parseUnConsolidated(file('un-consolidated-2026-02', 'UN_consolidated.xml')),
  ]);
  const idx2021 = ScreeningIndex.build(ofac2021.entities);
  const idx = ScreeningIndex.build([...ofac2024.entities, ...un.entities]);

  it('finds named entries of each list first, by primary name and by alias', () => {
    expect(idx2021.search({ name: 'National Bank of Cuba' })[0]?.entity.id).toBe('ofac:306');
    expect(idx2021.search({ name: 'Banco Nacional de Cuba' })[0]?.entity.id).toBe('ofac:306');
    expect(idx.search({ name: 'Ismael Zambada Garcia' })[0]?.entity.id).toBe('ofac:7226');
    expect(top(idx.search({ name: 'Eric Badege' }))).toContain('un:6907993');
    expect(top(idx.search({ name: 'Aigle Blanc' }))).toContain('un:6907994');
  });

  it('finds every primary name of a sample of 300 entries as the top hit', () => {
    const sample = [...ofac2024.entities, ...un.entities].filter((_, i) => i % 53 === 0);
    const missed: string[] = [];
    for (const e of sample) {
      const hits = idx.search({ name: e.names[0]!.full, schema: e.schema }, { limit: 50 });
      // Several entries can share one name (vessels of one owner, namesakes): a tie at the top counts.
      if (!top(hits).includes(e.id)) missed.push(`${e.id} ${e.names[0]!.full}`);
    }
    expect(missed).toEqual([]);
  });

  it('finds misspelled and reordered names', () => {
    expect(idx.search({ name: 'Ismael Zambada-Garsia' })[0]?.entity.id).toBe('ofac:7226');
    expect(idx.search({ name: 'GARCIA ZAMBADA Ismael' })[0]?.entity.id).toBe('ofac:7226');
  });

  it('lets a strong identifier decide', () => {
    // ARTAVIL, IMO 9187629 (sdn.csv 2024, entry 15036).
    const hit = idx.search({
      name: 'Completely Different',
      identifiers: [{ value: 'IMO 9187629' }],
    })[0];
    expect(hit?.entity.id).toBe('ofac:15036');
    expect(hit?.score).toBe(1);
    expect(hit?.explanation.adjustments[0]?.feature).toBe('identifier');
  });

  it('subtracts for a contradicting birth date, nationality or gender, never adds', () => {
    const base = idx.search({ name: 'Ismael Zambada Garcia' })[0]!;
    const sameYear = idx.search({ name: 'Ismael Zambada Garcia', birthDate: '1948-05-01' })[0]!;
    const otherYear = idx.search(
      { name: 'Ismael Zambada Garcia', birthDate: '1990' },
      { threshold: 0 },
    )[0]!;
    const otherCountry = idx.search(
      { name: 'Ismael Zambada Garcia', nationality: 'Norway', gender: 'female' },
      { threshold: 0 },
    )[0]!;
    expect(sameYear.score).toBe(base.score);
    expect(otherYear.score).toBeCloseTo(base.score - PENALTY.birthYear, 10);
    expect(otherCountry.score).toBeCloseTo(base.score - PENALTY.nationality - PENALTY.gender, 10);
    expect(otherCountry.explanation.adjustments.map((a) => a.feature).sort()).toEqual([
      'gender',
      'nationality',
    ]);
  });

  it('keeps to the schema asked for', () => {
    const hits = idx.search({ name: 'Artavil', schema: 'Person' }, { threshold: 0.5 });
    expect(hits.every((h) => ['Person', 'LegalEntity'].includes(h.entity.schema))).toBe(true);
    expect(idx.search({ name: 'Artavil', schema: 'Vessel' })[0]?.entity.id).toBe('ofac:15036');
  });

  it('restricts to the lists asked for', () => {
    const hits = idx.search({ name: 'Eric Badege' }, { lists: ['ofac'], threshold: 0.9 });
    expect(hits.every((h) => h.entity.list === 'ofac')).toBe(true);
  });

  it('refuses a query without a name, with an empty name, or a 10 MB name', () => {
    expect(() => idx.search({})).toThrow(ScreeningError);
    expect(() => idx.search({ name: ' ' })).toThrow(ScreeningError);
    expect(() => idx.search({ name: 'x'.repeat(10 * 1024 * 1024) })).toThrow(/limit/);
  });
});

describe('index over a tiny list', () => {
  const person = (id: string, name: string, extra: Partial<Entity> = {}): Entity => ({
    id,
    list: 't',
    sourceId: id,
    schema: 'Person',
    names: [{ full: name, quality: 'primary' }],
    birthDates: [],
    birthPlaces: [],
    nationalities: [],
    countries: [],
    identifiers: [],
    addresses: [],
    programs: [],
    ...extra,
  });

  it('penalises a match on a weak alias', () => {
    const idx = ScreeningIndex.build([
      person('a', 'Joaquin Guzman Loera', {
        names: [
          { full: 'Joaquin Guzman Loera', quality: 'primary' },
          { full: 'El Chapo', quality: 'weak', kind: 'aka' },
        ],
      }),
    ]);
    const hit = idx.search({ name: 'El Chapo' }, { threshold: 0 })[0]!;
    expect(hit.score).toBeCloseTo(1 - PENALTY.weakAlias, 10);
  });

  it('scores hits within [0, 1] and sorts them best first', () => {
    const idx = ScreeningIndex.build([
      person('a', 'Maria Lopez'),
      person('b', 'Maria Lopes Garcia'),
      person('c', 'Mario Lopez'),
    ]);
    const hits = idx.search({ name: 'Maria Lopez' }, { threshold: 0 });
    expect(hits[0]?.entity.id).toBe('a');
    for (let i = 1; i < hits.length; i++) {
      expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    }
    expect(hits.every((h) => h.score >= 0 && h.score <= 1)).toBe(true);
  });
});
