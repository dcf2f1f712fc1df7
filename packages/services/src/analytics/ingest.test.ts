import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Actor, AnalyticsDatasetTable, Store } from '@interdict/store';
import {
  byteSource,
  ENGINES,
  openEngineStore,
  type EngineStore,
} from '@interdict/store/test-support';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services';

// The analytics ingest kinds, run as every edge runs them: through the ingest service, which
// commits each release's ledger record with the data (moved here from the store's suite when the
// kinds began to record releases on the ledger; the assertions are unchanged).

const CBP1 = sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy19_22.csv');
const CBP2 = sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy22_25.csv');
const UNODC = sharedData('seizures', 'unodc', 'drug_seizures_2018_2022.csv');
const BTS_PORTS = sharedData('border-crossings', 'border_ports.csv');
const BTS = sharedData('border-crossings', 'Border_Crossing_Entry_Data_2015-2025.csv');

/** `Jan 2024` → `2024-01`, written out here rather than borrowed from the code under test. */
function monthOf(date: string): string {
  const names = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const [name, year] = date.split(' ');
  return `${year}-${String(names.indexOf(name as string) + 1).padStart(2, '0')}`;
}

const bytes = byteSource;

/** A fixed log key, so that no key file is written. */
const KEY = Buffer.alloc(32, 4).toString('base64');

async function count(store: Store, table: AnalyticsDatasetTable): Promise<number> {
  const r = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** CBP pounds of one drug in one fiscal year, by a plain line split over the raw CSV. */
function rawCbpPounds(file: string, fy: string, drug: string): number {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  let sum = 0;
  for (const line of lines) {
    const f = line.split(',');
    if (f[0]?.replace(' (FYTD)', '') === fy && f[6] === drug) sum += Number(f[8]);
  }
  return sum;
}

for (const engine of ENGINES) {
  describe(`analytics ingest on ${engine}`, () => {
    let store: Store;
    let actor: Actor;
    let opened: EngineStore | undefined;
    let services: Services | undefined;

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'analytics');
      ({ store, actor } = opened);
      services = createServices(store, {
        closeStore: false,
        ledger: { origin: `analytics-ingest-${engine}.interdict.test/log`, key: KEY },
      });
    });
    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    const ingest = async (kind: string, sourceName: string, data: string | Uint8Array) =>
      (await services!.ingest.run(actor, { kind, sourceName, input: bytes(data) })).job;

    it('loads both CBP releases and takes each fiscal year from the latest release', async () => {
      const first = await ingest(
        'cbp-seizures',
        'cbp_drug_seizures_fy19_22.csv',
        readFileSync(CBP1),
      );
      expect(first.status, first.error ?? '').toBe('succeeded');
      const second = await ingest(
        'cbp-seizures',
        'cbp_drug_seizures_fy22_25.csv',
        readFileSync(CBP2),
      );
      expect(second.status, second.error ?? '').toBe('succeeded');
      expect(await count(store, 'analytics_cbp_seizures')).toBe(10_092 + 9_004);
      const effective = await store.db
        .selectFrom('analytics_cbp_seizures')
        .select((eb) => ['release', 'fiscal_year as fy', eb.fn.countAll().as('n')])
        .where('effective', '=', true)
        .groupBy(['release', 'fiscal_year'])
        .orderBy('fiscal_year')
        .execute();
      // SOURCE.md: FY2019–FY2021 from fy19_22, FY2022 onward (2,479 rows) from fy22_25.
      expect(effective.map((r) => [r.release, Number(r.fy)])).toEqual([
        ['FY2019-FY2022', 2019],
        ['FY2019-FY2022', 2020],
        ['FY2019-FY2022', 2021],
        ['FY2022-FY2025', 2022],
        ['FY2022-FY2025', 2023],
        ['FY2022-FY2025', 2024],
        ['FY2022-FY2025', 2025],
      ]);
      expect(Number(effective[3]?.n)).toBe(2479);
      const fentanyl = await store.db
        .selectFrom('analytics_cbp_seizures')
        .select((eb) => eb.fn.sum<number>('pounds').as('lbs'))
        .where('effective', '=', true)
        .where('fiscal_year', '=', 2023)
        .where('drug', '=', 'Fentanyl')
        .execute();
      expect(Number(fentanyl[0]?.lbs)).toBeCloseTo(rawCbpPounds(CBP2, '2023', 'Fentanyl'), 6);
    });

    it('changes nothing when the same file comes twice', async () => {
      const again = await ingest(
        'cbp-seizures',
        'cbp_drug_seizures_fy22_25.csv',
        readFileSync(CBP2),
      );
      expect(again.status, again.error ?? '').toBe('succeeded');
      expect(again.summary).toMatchObject({ inserted: 0, updated: 0, deleted: 0, unchanged: 9004 });
    });

    it('records what a revised file changed', async () => {
      const lines = readFileSync(CBP2, 'utf8').split('\n');
      const target = lines[1] as string;
      const fields = target.split(',');
      fields[7] = String(Number(fields[7]) + 5);
      lines[1] = fields.join(',');
      lines.splice(2, 1); // and one row withdrawn
      const job = await ingest('cbp-seizures', 'cbp_drug_seizures_fy22_25.csv', lines.join('\n'));
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(job.summary).toMatchObject({ inserted: 0, updated: 1, deleted: 1 });
      const changes = await store.db
        .selectFrom('analytics_changes')
        .select(['change', 'before', 'after'])
        .where('job_id', '=', job.id)
        .orderBy('change')
        .execute();
      expect(changes.map((r) => r.change)).toEqual(['delete', 'update']);
      expect(Number(changes[1]?.after?.events ?? 0) - Number(changes[1]?.before?.events ?? 0)).toBe(
        5,
      );
    });

    it('refuses a changed header, naming line 1, and keeps what was stored', async () => {
      const before = await count(store, 'analytics_cbp_seizures');
      const text = readFileSync(CBP1, 'utf8').replace('Sum Qty (lbs)', 'Sum Qty (kg)');
      const job = await ingest('cbp-seizures', 'renamed.csv', text);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/renamed\.csv line 1: .*header/);
      expect(await count(store, 'analytics_cbp_seizures')).toBe(before);
    });

    it('refuses a non-numeric quantity deep in the file, naming its line, and keeps nothing of it', async () => {
      const before = await count(store, 'analytics_unodc_seizures');
      const lines = readFileSync(UNODC, 'utf8').split('\n');
      lines[9000] = (lines[9000] as string).replace(/,([0-9.e-]+),([A-Z]{3})$/, ',12 kg,$2');
      const job = await ingest('unodc-seizures', 'unodc.csv', lines.join('\n'));
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/unodc\.csv line 9001: field "Kilograms" is "12 kg"/);
      expect(await count(store, 'analytics_unodc_seizures')).toBe(before);
    });

    it('refuses a truncated gzip and keeps nothing of it', async () => {
      const gz = gzipSync(readFileSync(BTS_PORTS));
      const job = await ingest('bts-ports', 'border_ports.csv.gz', gz.subarray(0, gz.length - 40));
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/unexpected end|truncat/i);
      expect(await count(store, 'analytics_bts_ports')).toBe(0);
      const ok = await ingest('bts-ports', 'border_ports.csv.gz', gz);
      expect(ok.status, ok.error ?? '').toBe('succeeded');
      expect(await count(store, 'analytics_bts_ports')).toBe(117);
    });

    it('merges border crossings: a subset changes nothing, a revised value is recorded', async () => {
      const lines = readFileSync(BTS, 'utf8').split('\n');
      const full = lines.slice(0, 3001).join('\n');
      const first = await ingest('bts-crossings', 'bts.csv', full);
      expect(first.status, first.error ?? '').toBe('succeeded');
      expect(first.summary).toMatchObject({ inserted: 3000, updated: 0 });
      // A subset of the same rows (as the 2015+ file is of the full one) deletes nothing.
      const subset = await ingest(
        'bts-crossings',
        'bts-subset.csv',
        lines.slice(0, 1001).join('\n'),
      );
      expect(subset.summary).toMatchObject({
        inserted: 0,
        updated: 0,
        deleted: 0,
        unchanged: 1000,
      });
      expect(await count(store, 'analytics_bts_crossings')).toBe(3000);
      // A revised value updates its row and leaves a change record naming the key.
      const revised = [...lines.slice(0, 3001)];
      const f = (revised[5] as string).split(',');
      f[6] = String(Number(f[6]) + 1);
      revised[5] = f.join(',');
      const job = await ingest('bts-crossings', 'bts.csv', revised.join('\n'));
      expect(job.summary).toMatchObject({ inserted: 0, updated: 1, deleted: 0 });
      const change = await store.db
        .selectFrom('analytics_changes')
        .select('row_key')
        .where('job_id', '=', job.id)
        .execute();
      expect(change.map((r) => r.row_key)).toEqual([
        `${f[2]}|${monthOf(f[4] as string)}|${f[5]}|0`,
      ]);
    });

    it('sums UNODC rows without deduplicating them', async () => {
      const job = await ingest(
        'unodc-seizures',
        'drug_seizures_2018_2022.csv',
        readFileSync(UNODC),
      );
      expect(job.status, job.error ?? '').toBe('succeeded');
      expect(await count(store, 'analytics_unodc_seizures')).toBe(11_013);
    });
  });
}
