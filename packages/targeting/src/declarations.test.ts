import { createReadStream } from 'node:fs';
import { readCsv } from '@interdict/core';
import { sharedData } from '@interdict/testkit';
import { describe, expect, it } from 'vitest';
import {
  KCS_HS10_MAPPING,
  declarationParties,
  parseColumnMapping,
  parseDate,
  parseDeclarations,
  shown,
  type RowProblem,
} from './declarations';
import { TargetingError } from './errors';

const HEADER =
  'Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,Critical Fraud';
const GOOD =
  '97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0';

async function parse(lines: string[], onBadRow: 'skip' | 'refuse' = 'skip') {
  return parseDeclarations(readCsv([lines.join('\n') + '\n']), { onBadRow });
}

describe('parseDeclarations', () => {
  it('reads a KCS row into a declaration', async () => {
    const { declarations, problems } = await parse([HEADER, GOOD]);
    expect(problems).toEqual([]);
    expect(declarations).toHaveLength(1);
    const d = declarations[0];
    expect(d?.id).toBe('97061800');
    expect(d?.hsCode).toBe('440890');
    expect(d?.courier).toBe('');
    expect(d?.itemPrice).toBe(372254.4);
    expect(d?.fraud).toBe(0);
    expect(d?.day).toBe(Date.UTC(2020, 0, 1) / 86_400_000);
  });

  it('reports every bad row by line with the reason and skips it', async () => {
    const lines = [
      HEADER,
      GOOD,
      GOOD.replace('2020-01-01', '2020-02-30'), // line 3: impossible date
      GOOD.replace('97061800', ''), // line 4: missing id
      GOOD.replace('108.0', 'heavy'), // line 5: not a number
      GOOD.replace(',0,0', ',0,2'), // line 6: critical without fraud
      GOOD.replace('440890', '44X890'), // line 7: bad HS code
      GOOD,
    ];
    const { declarations, problems } = await parse(lines);
    expect(declarations).toHaveLength(2);
    const byLine = (line: number): RowProblem | undefined => problems.find((p) => p.line === line);
    expect(byLine(3)?.field).toBe('Date');
    expect(byLine(4)?.field).toBe('Declaration ID');
    expect(byLine(5)?.reason).toMatch(/not a number/);
    expect(byLine(6)?.reason).toMatch(/contradicts/);
    expect(byLine(7)?.field).toBe('HS6 Code');
    expect(problems.map((p) => p.line).sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('reports a row whose field count differs from the header, when read relaxed', async () => {
    const text = [HEADER, GOOD + ',extra', GOOD.split(',').slice(0, 5).join(','), GOOD].join('\n');
    const relaxed = await parseDeclarations(readCsv([text + '\n'], { relaxColumnCount: true }), {
      onBadRow: 'skip',
    });
    expect(relaxed.declarations).toHaveLength(1);
    expect(relaxed.problems).toEqual([
      { line: 2, field: '(row)', reason: '23 field(s) where the header has 22' },
      { line: 3, field: '(row)', reason: '5 field(s) where the header has 22' },
    ]);
    // Read strictly, the reader itself refuses such a file.
    await expect(parse([HEADER, GOOD + ',extra'])).rejects.toThrow(/malformed CSV/);
  });

  it('quotes a hostile bad value escaped and cut, so a reason cannot drive a terminal', async () => {
    // ESC [2J clears a screen (ECMA-48); U+202E reverses the text after it (UAX #9); C1 CSI.
    const hostile = `\u001b[2J\u202e9102-\u009b31m\\${'x'.repeat(100)}`;
    const { problems } = await parse([HEADER, GOOD.replace('108.0', hostile)]);
    const reason = problems[0]?.reason ?? '';
    expect(reason).toBe(
      `not a number: "\\u001b[2J\\u202e9102-\\u009b31m\\\\${'x'.repeat(60 - 15)}…"`,
    );
    expect(reason).not.toMatch(/[\p{Cc}\u202a-\u202e]/u);
    expect(shown('2024-02-30')).toBe('"2024-02-30"');
    expect(shown('say "no"')).toBe('"say \\"no\\""');
    // The CSV reader's own message quotes the field it could not read: escaped too.
    const broken: unknown = await parse([HEADER, GOOD.replace('108.0', '\u001b[2J"x')]).catch(
      (e: unknown) => e,
    );
    if (!(broken instanceof Error)) throw new Error('a broken CSV must be refused');
    expect(broken.message).toMatch(/malformed CSV/);
    expect(broken.message).not.toMatch(/[\p{Cc}\u202a-\u202e]/u);
  });

  it('refuses the whole input when asked, naming the first bad line', async () => {
    const lines = [HEADER, GOOD, GOOD.replace('0.0,FEU1', '-3,FEU1')];
    const error = await parse(lines, 'refuse').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetingError);
    expect((error as TargetingError).code).toBe('BAD_ROWS');
    expect((error as TargetingError).message).toMatch(/line 3/);
  });

  it('refuses a header that fits no schema', async () => {
    const error = await parse(['a,b,c', '1,2,3']).catch((e: unknown) => e);
    expect((error as TargetingError).code).toBe('BAD_MAPPING');
  });

  it('restores the leading zero the 2022 HS10 release lost', async () => {
    const header = HEADER.replace('HS6 Code', 'HS10 Code');
    const row = GOOD.replace('440890', '306170000');
    const { declarations } = await parseDeclarations(readCsv([`${header}\n${row}\n`]), {
      mapping: KCS_HS10_MAPPING,
    });
    expect(declarations[0]?.hsCode).toBe('0306170000');
  });

  it('reads other schemas through a column mapping file', async () => {
    const mapping = parseColumnMapping(
      JSON.stringify({
        name: 'other',
        columns: {
          id: 'ref',
          date: 'accepted',
          hsCode: 'tariff',
          importer: 'consignee',
          fraud: 'hit',
        },
      }),
    );
    const { declarations, problems } = await parseDeclarations(
      readCsv(['ref,accepted,tariff,consignee,hit\nX1,20210105,8504.40,ACME,1\n']),
      { mapping },
    );
    expect(problems).toEqual([]);
    expect(declarations[0]).toMatchObject({
      id: 'X1',
      date: '2021-01-05',
      hsCode: '850440',
      importer: 'ACME',
      fraud: 1,
    });
    expect(Number.isNaN(declarations[0]?.netMass)).toBe(true);
  });

  it('maps party name and country columns, and leaves them out when empty', async () => {
    const mapping = parseColumnMapping(
      JSON.stringify({
        columns: {
          id: 'ref',
          date: 'accepted',
          hsCode: 'tariff',
          importer: 'importer code',
          importerName: 'importer',
          consigneeName: 'consignee',
          consigneeCountry: 'consignee country',
          sellerName: 'exporter',
          sellerCountry: 'exporter country',
        },
      }),
    );
    const { declarations, problems } = await parseDeclarations(
      readCsv([
        'ref,accepted,tariff,importer code,importer,consignee,consignee country,exporter,exporter country\n' +
          'X1,2021-01-05,850440,I1,  Acme   Trading Ltd ,Beta SA,CO,,\n' +
          'X2,2021-01-05,850440,I2,,,,Gamma GmbH,DE\n',
      ]),
      { mapping },
    );
    expect(problems).toEqual([]);
    expect(declarationParties(declarations[0]!)).toEqual([
      { role: 'importer', name: 'Acme Trading Ltd' },
      { role: 'consignee', name: 'Beta SA', country: 'CO' },
    ]);
    expect(declarationParties(declarations[1]!)).toEqual([
      { role: 'seller', name: 'Gamma GmbH', country: 'DE' },
    ]);
    expect('sellerName' in declarations[0]!).toBe(false);
  });

  it('reads party names from a KCS-shaped file that adds them, and none from the benchmark', async () => {
    const { declarations } = await parse([`${HEADER},Importer Name`, `${GOOD},ACME LTD`]);
    expect(declarationParties(declarations[0]!)).toEqual([{ role: 'importer', name: 'ACME LTD' }]);
    const plain = await parse([HEADER, GOOD]);
    expect(declarationParties(plain.declarations[0]!)).toEqual([]);
  });

  it('refuses a mapping with an unknown field or without required ones', () => {
    expect(() =>
      parseColumnMapping('{"columns":{"id":"a","date":"b","hsCode":"c","colour":"d"}}'),
    ).toThrow(/unknown field "colour"/);
    expect(() => parseColumnMapping('{"columns":{"id":"a"}}')).toThrow(/required field/);
    expect(() => parseColumnMapping('nope')).toThrow(TargetingError);
  });

  it('parses dates strictly', () => {
    expect(parseDate('2020-12-31')?.iso).toBe('2020-12-31');
    expect(parseDate('20201231')?.iso).toBe('2020-12-31');
    expect(parseDate('2021-02-29')).toBeUndefined();
    expect(parseDate('31/12/2020')).toBeUndefined();
  });

  it('reads the whole KCS train split with the counts SOURCE.md gives', async () => {
    // SOURCE.md, "Splits are by time": train has 37,385 rows, 8,114 fraud, 394 critical.
    const file = sharedData('customs-synthetic', 'kcs-2023-hs6', 'df_syn_train_eng.csv');
    const { declarations, problems } = await parseDeclarations(readCsv(createReadStream(file)));
    expect(problems).toEqual([]);
    expect(declarations).toHaveLength(37_385);
    expect(declarations.filter((d) => d.fraud === 1)).toHaveLength(8_114);
    expect(declarations.filter((d) => d.critical === 2)).toHaveLength(394);
  });
});
