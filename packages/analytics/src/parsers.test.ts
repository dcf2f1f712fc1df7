import { createReadStream, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { sharedData } from '@interdict/testkit';
import { describe, expect, it } from 'vitest';
import {
  AnalyticsError,
  mergeCbpReleases,
  parseBorderCrossings,
  parseBorderPorts,
  parseCbpSeizures,
  parseUnlocode,
  parseUnodcSeizures,
  parseWorldPortIndex,
  type CbpSeizure,
} from './index';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<AnalyticsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AnalyticsError);
    return error as AnalyticsError;
  }
  throw new Error('expected the parser to fail');
}

const BTS_SUBSET = sharedData('border-crossings', 'Border_Crossing_Entry_Data_2015-2025.csv');
const CBP1 = sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy19_22.csv');
const CBP2 = sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy22_25.csv');
const UNODC = sharedData('seizures', 'unodc', 'drug_seizures_2018_2022.csv');

describe('BTS border crossings', () => {
  it('reads the full gzipped file: 399,406 rows, both borders, the 11 duplicate keys kept', async () => {
    const input = createReadStream(
      sharedData('border-crossings', 'Border_Crossing_Entry_Data_full.csv.gz'),
    ).pipe(createGunzip());
    let rows = 0;
    let mexico = 0;
    const keys = new Set<string>();
    for await (const r of parseBorderCrossings(input)) {
      rows++;
      if (r.border === 'US-Mexico Border') mexico++;
      keys.add(`${r.portCode}|${r.month}|${r.measure}`);
    }
    // SOURCE.md: 399,406 rows; 94,234 on the US-Mexico border; 11 keys appear twice.
    expect(rows).toBe(399_406);
    expect(mexico).toBe(94_234);
    expect(rows - keys.size).toBe(11);
  });

  it('gives monthly truck crossings at Laredo as a plain line split of the raw CSV does', async () => {
    const expected = new Map<string, number>();
    for (const line of readFileSync(BTS_SUBSET, 'utf8').trim().split('\n').slice(1)) {
      const f = line.split(',');
      if (f[2] === '2304' && f[5] === 'Trucks' && f[4]?.endsWith('2023'))
        expected.set(f[4], Number(f[6]));
    }
    const got = new Map<string, number>();
    for await (const r of parseBorderCrossings(createReadStream(BTS_SUBSET))) {
      if (r.portCode === '2304' && r.measure === 'Trucks' && r.month.startsWith('2023-'))
        got.set(r.month, r.value);
    }
    expect(got.size).toBe(12);
    expect(got.get('2023-01')).toBe(expected.get('Jan 2023'));
    expect(got.get('2023-12')).toBe(expected.get('Dec 2023'));
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(
      [...expected.values()].reduce((a, b) => a + b, 0),
    );
  });

  it('refuses a changed header, naming line 1', async () => {
    const text = 'Port Name,State,Port Code,Border,Date,Measure,Count,Latitude,Longitude,Point\n';
    const error = await failure(all(parseBorderCrossings([text], { sourceName: 'x.csv' })));
    expect(error.code).toBe('HEADER_MISMATCH');
    expect(error.message).toMatch(/^x\.csv line 1: /);
  });

  it('refuses a non-numeric value, naming the line and the field', async () => {
    const lines = readFileSync(BTS_SUBSET, 'utf8').split('\n').slice(0, 50);
    lines[41] = (lines[41] as string).replace(
      /,(\d+),([-\d.]+),([-\d.]+),POINT/,
      ',12k,$2,$3,POINT',
    );
    const error = await failure(
      all(parseBorderCrossings([lines.join('\n')], { sourceName: 'bts.csv' })),
    );
    expect(error.code).toBe('INVALID_VALUE');
    expect(error.message).toBe(
      'bts.csv line 42: field "Value" is "12k", expected a whole number ≥ 0',
    );
    expect(error.details).toMatchObject({ line: 42, field: 'Value' });
  });

  it('reads the ports lookup', async () => {
    const ports = await all(
      parseBorderPorts(createReadStream(sharedData('border-crossings', 'border_ports.csv'))),
    );
    expect(ports).toHaveLength(117);
    expect(ports.find((p) => p.portCode === '2304')?.portName).toBe('Laredo');
  });
});

describe('CBP nationwide drug seizures', () => {
  it('maps fiscal months to calendar months (OCT of FY2023 is October 2022)', async () => {
    const rows = await all(parseCbpSeizures(createReadStream(CBP2)));
    const oct = rows.find((r) => r.fiscalYear === 2023 && r.month.endsWith('-10'));
    expect(oct?.month).toBe('2022-10');
    const fytd = rows.find((r) => r.fiscalYearToDate);
    expect(fytd?.fiscalYear).toBe(2025);
  });

  it('merges both files, FY2022 from the later one, and reproduces fentanyl pounds in FY2023', async () => {
    const first = await all(parseCbpSeizures(createReadStream(CBP1)));
    const second = await all(parseCbpSeizures(createReadStream(CBP2)));
    const merged = mergeCbpReleases<CbpSeizure>([
      { name: 'fy19_22', rows: first },
      { name: 'fy22_25', rows: second },
    ]);
    // SOURCE.md: each file has 2,479 rows for FY2022; the merged series keeps one copy.
    expect(merged).toHaveLength(10_092 + 9_004 - 2_479);
    expect(new Set(merged.filter((r) => r.fiscalYear === 2022).map((r) => r.release))).toEqual(
      new Set(['fy22_25']),
    );
    // Hand check: awk -F, '$1=="2023" && $7=="Fentanyl"{s+=$9} END{printf "%.4f", s}' cbp_drug_seizures_fy22_25.csv
    // → 27022.8509 lbs. Independent route in the test: a plain line split.
    let expected = 0;
    for (const line of readFileSync(CBP2, 'utf8').trim().split('\n').slice(1)) {
      const f = line.split(',');
      if (f[0] === '2023' && f[6] === 'Fentanyl') expected += Number(f[8]);
    }
    const got = merged
      .filter((r) => r.fiscalYear === 2023 && r.drug === 'Fentanyl')
      .reduce((a, r) => a + r.pounds, 0);
    expect(got).toBeCloseTo(expected, 6);
    expect(got).toBeCloseTo(27022.8509, 3);
  });

  it('refuses a non-numeric quantity, naming the line', async () => {
    const lines = readFileSync(CBP1, 'utf8').split('\n').slice(0, 20);
    // The file has CRLF line ends: keep the CR so the line stays one record.
    lines[9] = (lines[9] as string).replace(/,[^,\r]+(\r?)$/, ',n/a$1');
    const error = await failure(
      all(parseCbpSeizures([lines.join('\n')], { sourceName: 'cbp.csv' })),
    );
    expect(error.message).toBe(
      'cbp.csv line 10: field "Sum Qty (lbs)" is "n/a", expected a number ≥ 0',
    );
  });
});

describe('UNODC seizures', () => {
  it('sums every row: the global cocaine total for 2021', async () => {
    const rows = await all(parseUnodcSeizures(createReadStream(UNODC)));
    expect(rows).toHaveLength(11_013);
    // Independent route: cocaine rows have unquoted group fields; split the last three fields.
    // python3 csv.DictReader over the same file gives 2026375.5434 kg.
    let expected = 0;
    for (const line of readFileSync(UNODC, 'utf8').split('\n')) {
      if (!line.includes(',Cocaine-type,Cocaine,')) continue;
      const f = line.split(',');
      if (f[f.length - 3] === '2021') expected += Number(f[f.length - 2] || 0);
    }
    const got = rows
      .filter((r) => r.drugSubGroup === 'Cocaine' && r.year === 2021)
      .reduce((a, r) => a + (r.kilograms ?? 0), 0);
    expect(got).toBeCloseTo(expected, 6);
    expect(got).toBeCloseTo(2026375.5434, 3);
    expect(rows.filter((r) => r.kilograms === null)).toHaveLength(72);
  });
});

describe('ports and locations', () => {
  it('reads the World Port Index, dropping one malformed LOCODE', async () => {
    const ports = await all(
      parseWorldPortIndex(createReadStream(sharedData('ports', 'wpi', 'UpdatedPub150.csv'))),
    );
    expect(ports).toHaveLength(3768);
    // SOURCE.md: 3,338 ports have a LOCODE; one of them (`GB ME""`) is not a well-formed code.
    expect(ports.filter((p) => p.unlocode !== null)).toHaveLength(3337);
  });

  it('repairs the 1,040 UN/LOCODE rows whose name was split at a comma', async () => {
    const rows = await all(
      parseUnlocode(
        createReadStream(sharedData('ports', 'unlocode', 'unlocode_geoapify_2024.csv')),
      ),
    );
    expect(rows).toHaveLength(116_029);
    const repaired = rows.filter((r) => r.repaired);
    expect(repaired).toHaveLength(1040);
    expect(repaired.find((r) => r.locode === 'ATMLD')?.name).toBe('Mollersdorf, Baden');
    expect(repaired.find((r) => r.locode === 'ATMLD')?.functions).toBe('--3-----');
    // SOURCE.md: 16,993 ports (counted over the intact rows) and 487 border crossings.
    expect(rows.filter((r) => r.isPort && !r.repaired)).toHaveLength(16_993);
    expect(rows.filter((r) => r.isBorderCrossing && !r.repaired)).toHaveLength(487);
  });
});
