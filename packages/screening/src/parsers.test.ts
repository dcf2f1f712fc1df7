import { createReadStream } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { sharedData } from '@interdict/testkit';
import {
  diffLists,
  parseFollowTheMoney,
  parseOfac,
  parseOfacRemarks,
  parseUnConsolidated,
  ScreeningError,
  type Entity,
} from './index';

const file = (...p: string[]) => createReadStream(sharedData('watchlists', ...p));
const bytes = (text: string) => [new TextEncoder().encode(text)];

async function rejection(p: Promise<unknown>): Promise<ScreeningError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(ScreeningError);
    return error as ScreeningError;
  }
  throw new Error('expected a rejection');
}

describe('OFAC legacy CSV set (2021-07-07)', async () => {
  const list = await parseOfac({
    sdn: file('ofac-sdn-2021-07-07', 'sdn.csv'),
    alt: file('ofac-sdn-2021-07-07', 'alt.csv'),
    add: file('ofac-sdn-2021-07-07', 'add.csv'),
    comments: file('ofac-sdn-2021-07-07', 'sdn_comments.csv'),
    published: '2021-07-07',
  });
  const byId = new Map(list.entities.map((e) => [e.sourceId, e]));

  it('reads every entry with the type counts SOURCE.md gives', () => {
    // Counts from ../shared/data/watchlists/SOURCE.md (8,976 rows: 4,620 / 406 / 277 / 3,673).
    expect(list.version.counts.entities).toBe(8976);
    expect(list.version.counts.bySchema).toEqual({
      Person: 4620,
      Vessel: 406,
      Aircraft: 277,
      Organization: 3673,
    });
    expect(list.entities.filter((e) => e.programs.includes('SDNTK'))).toHaveLength(1770);
    expect(list.version.id).toBe('ofac@2021-07-07');
    expect(list.version.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('joins aliases, addresses and weak a.k.a.s to their entry', () => {
    // sdn.csv: 306,"BANCO NACIONAL DE CUBA",…,"a.k.a. 'BNC'."; alt.csv: 306,220,"aka","NATIONAL BANK OF CUBA";
    // add.csv: 306,199,"Zweierstrasse 35","Zurich CH-8022","Switzerland".
    const bnc = byId.get('306')!;
    expect(bnc.names).toEqual([
      { full: 'BANCO NACIONAL DE CUBA', quality: 'primary' },
      { full: 'NATIONAL BANK OF CUBA', quality: 'strong', kind: 'aka' },
      { full: 'BNC', quality: 'weak', kind: 'aka' },
    ]);
    expect(bnc.addresses[0]).toMatchObject({ city: 'Zurich CH-8022', country: 'ch' });
    expect(bnc.programs).toEqual(['CUBA']);
  });

  it('appends sdn_comments.csv to the remarks it continues', () => {
    // sdn_comments.csv continues entry 28264's remarks with "… a.k.a. 'khaleesi'; Linked To: LAZARUS GROUP."
    const e = byId.get('28264')!;
    expect(e.remarks).toContain('LAZARUS GROUP');
    expect(e.names.map((n) => n.full)).toContain('khaleesi');
  });
});

describe('OFAC sdn.csv alone (2024-05-03)', async () => {
  const list = await parseOfac({ sdn: file('ofac-sdn-2024-05-03', 'sdn.csv') });
  const byId = new Map(list.entities.map((e) => [e.sourceId, e]));

  it('reads 14,965 entries and the drug programmes', () => {
    // SOURCE.md: 6,854 individual, 851 vessel, 376 aircraft, 6,884 entities; 1,439 SDNTK, 293 EO14059.
    expect(list.version.counts.bySchema).toEqual({
      Person: 6854,
      Vessel: 851,
      Aircraft: 376,
      Organization: 6884,
    });
    expect(list.entities.filter((e) => e.programs.includes('SDNTK'))).toHaveLength(1439);
    expect(list.entities.filter((e) => e.programs.includes('ILLICIT-DRUGS-EO14059'))).toHaveLength(
      293,
    );
  });

  it('parses DOB, POB, nationality, gender and weak aliases from the remarks', () => {
    // 7226,"ZAMBADA GARCIA, Ismael",…,"DOB 1948; POB Sinaloa, Mexico; nationality Mexico; Gender Male; a.k.a. 'El Mayo'; a.k.a. 'Mayo'."
    const e = byId.get('7226')!;
    expect(e.schema).toBe('Person');
    expect(e.birthDates).toEqual(['1948']);
    expect(e.birthPlaces).toEqual(['Sinaloa, Mexico']);
    expect(e.nationalities).toEqual(['mx']);
    expect(e.gender).toBe('male');
    expect(e.names.filter((n) => n.quality === 'weak').map((n) => n.full)).toEqual([
      'El Mayo',
      'Mayo',
    ]);
  });

  it('reads a vessel IMO number as an identifier', () => {
    // 15036,"ARTAVIL","vessel",… "Vessel Registration Identification IMO 9187629"
    const e = byId.get('15036')!;
    expect(e.schema).toBe('Vessel');
    expect(e.identifiers).toContainEqual(
      expect.objectContaining({ type: 'imo', value: '9187629' }),
    );
  });
});

describe('UN consolidated list XML', async () => {
  const list = await parseUnConsolidated(file('un-consolidated-2026-02', 'UN_consolidated.xml'));

  it('reads 730 individuals and 273 entities with the publication date', () => {
    expect(list.version.counts.bySchema).toEqual({ Person: 730, Organization: 273 });
    expect(list.version.published).toBe('2026-02-27T00:00:09.554Z');
    expect(list.version.id).toBe('un@2026-02-27');
  });

  it('maps names, aliases with quality, birth dates and nationality', () => {
    // DATAID 6907994: FRANK KAKOLELE BWAMBALE, aliases "FRANK KAKORERE" (Good) …, DRC.
    const e = list.entities.find((x) => x.sourceId === '6907994')!;
    expect(e.names[0]).toEqual({ full: 'FRANK KAKOLELE BWAMBALE', quality: 'primary' });
    expect(e.names).toContainEqual({ full: 'AIGLE BLANC', quality: 'strong', kind: 'aka' });
    expect(e.nationalities).toEqual(['cd']);
    expect(e.programs).toContain('DRC');
    const badege = list.entities.find((x) => x.sourceId === '6907993')!;
    expect(badege.birthDates).toEqual(['1971']);
    expect(badege.gender).toBe('male');
  });
});

describe('OFAC remarks', () => {
  it('reads a remark written by hand in OFAC style', () => {
    const facts = parseOfacRemarks(
      "DOB 02 Mar 1961; alt. DOB 1962 to 1963; nationality Colombia; Cedula No. 12345678 (Colombia); Passport AB123 (Venezuela); Gender Female; f.k.a. 'OLD NAME'.",
    );
    expect(facts.birthDates).toEqual(['1961-03-02', '1962', '1963']);
    expect(facts.nationalities).toEqual(['co']);
    expect(facts.gender).toBe('female');
    expect(facts.identifiers).toEqual([
      { type: 'national-id', value: '12345678', label: 'Cedula No.', country: 'co' },
      { type: 'passport', value: 'AB123', label: 'Passport', country: 've' },
    ]);
    expect(facts.weakAliases).toEqual([{ full: 'OLD NAME', quality: 'weak', kind: 'fka' }]);
  });
});

describe('bad list input', () => {
  it('refuses a CSV with an unterminated quote, naming the file', async () => {
    const err = await rejection(parseOfac({ sdn: bytes('1,"BROKEN NAME,-0- ,"X"\n2,"OK",-0-\n') }));
    expect(err.code).toBe('LIST_MALFORMED');
    expect(err.message).toContain('sdn.csv');
  });

  it('refuses a row whose ent_num is not a number, with its line', async () => {
    const err = await rejection(
      parseOfac({ sdn: bytes('1,"A",-0- ,"CUBA"\nabc,"B",-0- ,"CUBA"\n') }),
    );
    expect(err.code).toBe('LIST_MALFORMED');
    expect(err.details).toMatchObject({ line: 2 });
  });

  it('refuses an empty OFAC file', async () => {
    const err = await rejection(parseOfac({ sdn: bytes('\x1a') }));
    expect(err.code).toBe('LIST_EMPTY');
  });

  it('refuses malformed XML with the line of the fault', async () => {
    const err = await rejection(
      parseUnConsolidated(
        bytes('<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>\n</CONSOLIDATED_LIST>'),
      ),
    );
    expect(err.code).toBe('LIST_MALFORMED');
    expect(typeof err.details?.line).toBe('number');
  });

  it('refuses XML that is not UTF-8 (a UTF-16 file)', async () => {
    const text = '<?xml version="1.0"?><CONSOLIDATED_LIST/>';
    const utf16 = new Uint8Array(text.length * 2 + 2);
    utf16[0] = 0xff;
    utf16[1] = 0xfe;
    for (let i = 0; i < text.length; i++) utf16[2 + i * 2] = text.charCodeAt(i);
    // Latin-1 bytes that are not valid UTF-8 fail the same way.
    const err = await rejection(parseUnConsolidated([utf16]));
    expect(err.code).toBe('LIST_ENCODING');
    const err2 = await rejection(parseUnConsolidated([new Uint8Array([0x3c, 0x61, 0xe9, 0x3e])]));
    expect(err2.code).toBe('LIST_ENCODING');
  });

  it('refuses XML whose root is not the consolidated list', async () => {
    const err = await rejection(parseUnConsolidated(bytes('<OTHER><X/></OTHER>')));
    expect(err.code).toBe('LIST_MALFORMED');
  });

  it('names the line of invalid FollowTheMoney JSON', async () => {
    const err = await rejection(
      parseFollowTheMoney(
        bytes('{"id":"a","schema":"Person","properties":{"name":["A B"]}}\n{not json}\n'),
      ),
    );
    expect(err.code).toBe('LIST_MALFORMED');
    expect(err.details).toMatchObject({ line: 2 });
  });
});

describe('FollowTheMoney JSON lines', () => {
  it('maps OpenSanctions-style entities and skips other schemas', async () => {
    const lines = [
      {
        id: 'NK-abc',
        schema: 'Person',
        properties: {
          name: ['Ivan Petrov'],
          alias: ['Ivan Petroff'],
          weakAlias: ['Vanya'],
          birthDate: ['1970-05-01'],
          nationality: ['ru'],
          gender: ['male'],
          passportNumber: ['7512345'],
          topics: ['sanction'],
        },
      },
      { id: 'addr-1', schema: 'Address', properties: { full: ['Somewhere'] } },
      {
        id: 'v-1',
        schema: 'Vessel',
        properties: { name: ['SEA STAR'], imoNumber: ['IMO1234567'] },
      },
    ];
    const list = await parseFollowTheMoney(bytes(lines.map((l) => JSON.stringify(l)).join('\n')), {
      source: 'os',
    });
    expect(list.entities.map((e) => e.id)).toEqual(['os:NK-abc', 'os:v-1']);
    const p = list.entities[0]!;
    expect(p.names.map((n) => n.quality)).toEqual(['primary', 'strong', 'weak']);
    expect(p.birthDates).toEqual(['1970-05-01']);
    expect(p.nationalities).toEqual(['ru']);
    expect(p.identifiers).toContainEqual(
      expect.objectContaining({ type: 'passport', value: '7512345' }),
    );
  });
});

describe('diffLists', () => {
  const entity = (id: string, name: string): Entity => ({
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
  });

  it('reports added, changed and removed entities by id', () => {
    const before = [entity('a', 'Ann'), entity('b', 'Bob'), entity('c', 'Cy')];
    const after = [entity('a', 'Ann'), entity('b', 'Robert'), entity('d', 'Dee')];
    expect(diffLists(before, after)).toEqual({ added: ['d'], changed: ['b'], removed: ['c'] });
  });
});
