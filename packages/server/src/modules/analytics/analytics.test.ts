import { createReadStream, readFileSync } from 'node:fs';
import type { LedgerReceipt } from '@interdict/services';
import { sharedData } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type World } from '../../testing';

const BTS = sharedData('border-crossings', 'Border_Crossing_Entry_Data_2015-2025.csv');
const CBP1 = sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy19_22.csv');
const CBP2 = sharedData('seizures', 'cbp', 'cbp_drug_seizures_fy22_25.csv');
const UNODC = sharedData('seizures', 'unodc', 'drug_seizures_2018_2022.csv');

let world: World;
/** The ledger entry of each release the setup put in force, by `kind@release`. */
const releaseEntries = new Map<string, LedgerReceipt>();

beforeAll(async () => {
  world = await makeWorld();
  const actor = await world.store.systemActor();
  const files: [string, string][] = [
    ['bts-crossings', BTS],
    ['bts-ports', sharedData('border-crossings', 'border_ports.csv')],
    ['cbp-seizures', CBP1],
    ['cbp-seizures', CBP2],
    ['unodc-seizures', UNODC],
    ['wpi-ports', sharedData('ports', 'wpi', 'UpdatedPub150.csv')],
  ];
  for (const [kind, file] of files) {
    // Through the ingest service, as every edge loads data: each release is put in force with
    // its ledger entry.
    const { job, entries } = await world.services.ingest.run(actor, {
      kind,
      sourceName: file.split('/').pop() as string,
      input: createReadStream(file),
    });
    if (job.status !== 'succeeded') throw new Error(`${kind}: ${job.error}`);
    const { release } = job.summary as { release: string };
    for (const entry of entries) releaseEntries.set(`${kind}@${release}`, entry);
  }
}, 300_000);

afterAll(async () => {
  await closeWorld(world);
});

async function get<T>(path: string): Promise<T> {
  const res = await call(world.app, world.members.home.analyst, 'GET', path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

type SeriesBody = {
  series: {
    key: string;
    points: { month: string; value: number; rows: number; rowsHref: string }[];
  }[];
};

describe('analytics API figures match the raw files', () => {
  it('CBP fentanyl pounds in FY2023', async () => {
    // Independent route: a plain line split over the raw fy22_25 CSV (no quoted fields there).
    let expected = 0;
    for (const line of readFileSync(CBP2, 'utf8').trim().split('\n').slice(1)) {
      const f = line.split(',');
      if (f[0] === '2023' && f[6] === 'Fentanyl') expected += Number(f[8]);
    }
    // By hand: awk -F, '$1=="2023" && $7=="Fentanyl"{s+=$9} END{printf "%.4f", s}' cbp_drug_seizures_fy22_25.csv
    // → 27022.8509 (record of the check, not used by the assertion).
    const body = await get<SeriesBody>(
      '/api/analytics/seizures/series?group=drug&drug=Fentanyl&from=2022-10&to=2023-09',
    );
    const total = body.series[0]?.points.reduce((s, p) => s + p.value, 0) ?? 0;
    expect(total).toBeCloseTo(expected, 6);
  });

  it('monthly truck crossings at Laredo (port 2304)', async () => {
    const raw = readFileSync(BTS, 'utf8').trim().split('\n').slice(1);
    const byMonth = new Map<string, number>();
    for (const line of raw) {
      const f = line.split(',');
      if (f[2] === '2304' && f[5] === 'Trucks') byMonth.set(f[4] as string, Number(f[6]));
    }
    const body = await get<SeriesBody>(
      '/api/analytics/crossings/series?port=2304&measure=Trucks&from=2024-01&to=2024-12',
    );
    const points = body.series[0]?.points ?? [];
    expect(points).toHaveLength(12);
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
    for (const p of points) {
      expect(p.value).toBe(byMonth.get(`${names[Number(p.month.slice(5)) - 1]} 2024`));
    }
  });

  it('UNODC global cocaine total for 2021, every row summed', async () => {
    // Independent route: the group and sub-group fields are never quoted for cocaine rows, and
    // the last three fields (year, kilograms, msCode) never are; so match the line and split
    // from the end. python3 csv.DictReader gives 2026375.5434 kg for the same sum.
    let expected = 0;
    for (const line of readFileSync(UNODC, 'utf8').split('\n')) {
      if (!line.includes(',Cocaine-type,Cocaine,')) continue;
      const f = line.split(',');
      if (f[f.length - 3] === '2021' && f[f.length - 2] !== '') expected += Number(f[f.length - 2]);
    }
    const body = await get<{ world: { year: number; kilograms: number }[] }>(
      '/api/analytics/unodc/totals?drug=Cocaine&year=2021',
    );
    expect(body.world).toHaveLength(1);
    expect(body.world[0]?.kilograms).toBeCloseTo(expected, 4);
  });

  it('each figure links to exactly the rows behind it', async () => {
    const body = await get<SeriesBody>(
      '/api/analytics/seizures/series?group=region&from=2023-03&to=2023-03&metric=events',
    );
    for (const s of body.series) {
      const p = s.points[0] as SeriesBody['series'][0]['points'][0];
      const rows = await get<{ total: number; items: { events: number; source_line: number }[] }>(
        `${p.rowsHref}&limit=1000`,
      );
      expect(rows.total).toBe(p.rows);
      expect(rows.items.reduce((a, r) => a + Number(r.events), 0)).toBe(p.value);
      expect(rows.items.every((r) => r.source_line > 1)).toBe(true);
    }
  });
});

describe('analytics API views', () => {
  it('drug mix shares sum to one', async () => {
    const body = await get<{ items: { drug: string; poundsShare: number }[] }>(
      '/api/analytics/seizures/mix?fiscalYear=2023',
    );
    expect(body.items.length).toBeGreaterThan(3);
    expect(body.items.reduce((s, i) => s + i.poundsShare, 0)).toBeCloseTo(1, 9);
  });

  it('seizures per unit of traffic by region and by field office', async () => {
    const region = await get<{
      items: { area: string; traffic: number; eventsPer100k: number | null; events: number }[];
    }>('/api/analytics/seizures/rates?unit=trucks&area=region&from=2023-01&to=2023-12');
    expect(new Set(region.items.map((i) => i.area))).toEqual(
      new Set(['Southwest Border', 'Northern Border']),
    );
    for (const i of region.items)
      expect(i.eventsPer100k).toBeCloseTo((i.events / i.traffic) * 100_000, 9);
    const offices = await get<{ items: { area: string }[] }>(
      '/api/analytics/seizures/rates?unit=personal-vehicles&area=field-office&from=2023-01&to=2023-12',
    );
    expect(offices.items.map((i) => i.area)).toContain('SAN DIEGO FIELD OFFICE');
    // Only land seizures are set against land traffic: the rows behind a rate say so.
    const sample = (
      offices.items as unknown as { area: string; events: number; rowsHref: string }[]
    ).find((i) => i.area === 'SAN DIEGO FIELD OFFICE' && i.events > 0);
    const rows = await get<{ items: { land_filter: string; component: string; events: number }[] }>(
      `${sample?.rowsHref}&limit=1000`,
    );
    expect(rows.items.length).toBeGreaterThan(0);
    expect(new Set(rows.items.map((r) => `${r.component}/${r.land_filter}`))).toEqual(
      new Set(['Office of Field Operations/Land Only']),
    );
    expect(rows.items.reduce((a, r) => a + Number(r.events), 0)).toBe(sample?.events);
  });

  it('unusual months and a forecast with intervals', async () => {
    const unusual = await get<{
      items: { score: number; severity: string }[];
      baselines: unknown[];
    }>('/api/analytics/seizures/unusual?group=drug&threshold=3.5');
    for (const u of unusual.items) expect(Math.abs(u.score)).toBeGreaterThanOrEqual(3.5);
    expect(unusual.baselines.length).toBeGreaterThan(3);
    const forecast = await get<{
      items: { forecast: { points: { value: number; lower: number; upper: number }[] } }[];
    }>('/api/analytics/seizures/forecast?group=total&drug=Methamphetamine&horizon=6');
    const points = forecast.items[0]?.forecast.points ?? [];
    expect(points).toHaveLength(6);
    for (const p of points) {
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.upper).toBeGreaterThanOrEqual(p.value);
    }
  });

  it('UNODC regional shares and trends, ports and places for the map', async () => {
    const shares = await get<{ items: { share: number }[] }>(
      '/api/analytics/unodc/shares?drug=Cocaine&year=2021',
    );
    expect(shares.items.reduce((s, i) => s + i.share, 0)).toBeCloseTo(1, 9);
    const trends = await get<{ items: unknown[] }>('/api/analytics/unodc/trends?drug=Cocaine');
    expect(trends.items.length).toBeGreaterThan(20);
    const ports = await get<{ items: { latitude: number | null }[] }>(
      '/api/analytics/crossings/ports?measure=Trucks',
    );
    expect(ports.items.filter((p) => p.latitude !== null).length).toBeGreaterThan(50);
    // Every crossing filter on the ports view (the join with the ports lookup shares column
    // names with the crossings, so each filter must name its table).
    type Port = { portCode: string; border: string; state: string; rows: number };
    const all = await get<{ items: Port[] }>('/api/analytics/crossings/ports');
    const first = all.items[0]!;
    for (const [query, keep] of [
      [`border=${encodeURIComponent(first.border)}`, (p: Port) => p.border === first.border],
      [`state=${encodeURIComponent(first.state)}`, (p: Port) => p.state === first.state],
      [`port=${first.portCode}`, (p: Port) => p.portCode === first.portCode],
    ] as const) {
      const some = await get<{ items: Port[] }>(`/api/analytics/crossings/ports?${query}`);
      expect(some.items.length, query).toBeGreaterThan(0);
      expect(some.items.every(keep), query).toBe(true);
      expect(some.items.length, query).toBeLessThanOrEqual(all.items.length);
    }
    const lastYear = await get<{ items: Port[] }>(
      '/api/analytics/crossings/ports?from=2024-01&to=2024-12',
    );
    const rows = (items: Port[]) => items.reduce((s, p) => s + p.rows, 0);
    expect(rows(lastYear.items)).toBeGreaterThan(0);
    expect(rows(lastYear.items)).toBeLessThan(rows(all.items));
    const places = await get<{ items: unknown[] }>('/api/analytics/places?kind=wpi');
    expect(places.items).toHaveLength(3768);
  });

  it('exports every view as CSV', async () => {
    for (const path of [
      '/api/analytics/seizures/series?group=drug',
      '/api/analytics/seizures/mix',
      '/api/analytics/seizures/rates',
      '/api/analytics/seizures/unusual',
      '/api/analytics/seizures/forecast',
      '/api/analytics/crossings/series?measure=Trucks',
      '/api/analytics/crossings/ports',
      '/api/analytics/unodc/totals?year=2022',
      '/api/analytics/unodc/shares',
      '/api/analytics/unodc/trends',
      '/api/analytics/places',
      '/api/analytics/rows/cbp-seizures?drug=Fentanyl',
      '/api/analytics/sources',
      '/api/analytics/changes',
    ]) {
      const res = await call(
        world.app,
        world.members.home.viewer,
        'GET',
        `${path}${path.includes('?') ? '&' : '?'}format=csv`,
      );
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect((await res.text()).split('\r\n')[0], path).toMatch(/^[a-zA-Z_]+(,[a-zA-Z0-9_]+)*$/);
    }
  });

  it('contributes counts to GET /api/summary and documents its routes in OpenAPI', async () => {
    const summary = await get<{ items: { capability: string; label: string; count: number }[] }>(
      '/api/summary',
    );
    const cbp = summary.items.find((i) => i.capability === 'analytics' && i.label.includes('CBP'));
    expect(cbp?.count).toBe(10_092 - 2_479 + 9_004);
    const doc = await get<{ paths: Record<string, unknown> }>('/api/openapi.json');
    expect(
      Object.keys(doc.paths).filter((p) => p.startsWith('/api/analytics/')).length,
    ).toBeGreaterThanOrEqual(14);
  });

  it('refuses bad filters with a problem naming the field', async () => {
    const res = await call(
      world.app,
      world.members.home.analyst,
      'GET',
      '/api/analytics/seizures/series?from=2023-13',
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/from/);
    const noMeasure = await call(
      world.app,
      world.members.home.analyst,
      'GET',
      '/api/analytics/crossings/series?group=port',
    );
    expect(noMeasure.status).toBe(400);
  });
});

describe('analytics API access', () => {
  const paths = [
    '/api/analytics/seizures/series',
    '/api/analytics/seizures/mix',
    '/api/analytics/seizures/rates',
    '/api/analytics/seizures/unusual',
    '/api/analytics/seizures/forecast',
    '/api/analytics/crossings/series?measure=Trucks',
    '/api/analytics/crossings/ports',
    '/api/analytics/unodc/totals',
    '/api/analytics/unodc/shares',
    '/api/analytics/unodc/trends',
    '/api/analytics/places',
    '/api/analytics/rows/cbp-seizures',
    '/api/analytics/facets',
    '/api/analytics/sources',
    '/api/analytics/changes',
  ];

  it('answers 401 to anonymous callers and 403 to federation partners, on every endpoint', async () => {
    for (const path of paths) {
      expect((await call(world.app, undefined, 'GET', path)).status, path).toBe(401);
      expect((await call(world.app, world.members.agency.partner, 'GET', path)).status, path).toBe(
        403,
      );
    }
  });

  it('lets every other role of every organisation read', async () => {
    for (const scope of ['home', 'agency'] as const) {
      for (const role of ['admin', 'analyst', 'officer', 'viewer'] as const) {
        const res = await call(
          world.app,
          world.members[scope][role],
          'GET',
          '/api/analytics/facets',
        );
        expect(res.status, `${scope} ${role}`).toBe(200);
      }
    }
  });
});

describe('dataset releases on the ledger', () => {
  type Entry = {
    index: number;
    recordType: string;
    body: { kind: string; release: string; sourceName: string; rowCount: number } | null;
    subject: { type: string; id: string } | null;
  };

  it('gives each release put in force one entry, which names the file, on the release page', async () => {
    // Six files loaded, six releases in force (CBP's two releases are two).
    expect([...releaseEntries.keys()].sort()).toEqual([
      'bts-crossings@current',
      'bts-ports@current',
      'cbp-seizures@FY2019-FY2022',
      'cbp-seizures@FY2022-FY2025',
      'unodc-seizures@current',
      'wpi-ports@current',
    ]);
    const index = releaseEntries.get('cbp-seizures@FY2022-FY2025')!.index;
    const entry = await get<Entry>(`/api/ledger/entries/${index}`);
    expect(entry).toMatchObject({
      recordType: 'analytics.release',
      subject: { type: 'analytics.release', id: 'cbp-seizures@FY2022-FY2025' },
      body: {
        kind: 'cbp-seizures',
        release: 'FY2022-FY2025',
        sourceName: 'cbp_drug_seizures_fy22_25.csv',
        rowCount: 9_004,
      },
    });
    const page = await get<{ items: Entry[] }>(
      '/api/ledger/subjects/analytics.release/cbp-seizures@FY2022-FY2025',
    );
    expect(page.items.map((e) => e.index)).toEqual([index]);
  });

  it('shows a user of another organisation neither the entry nor anything on the release page', async () => {
    const index = releaseEntries.get('bts-crossings@current')!.index;
    for (const role of ['admin', 'analyst', 'viewer'] as const) {
      const outsider = world.members.agency[role];
      const entry = await call(world.app, outsider, 'GET', `/api/ledger/entries/${index}`);
      expect(entry.status, role).toBe(404);
      const page = await call(
        world.app,
        outsider,
        'GET',
        '/api/ledger/subjects/analytics.release/bts-crossings@current',
      );
      expect(page.status, role).toBe(200);
      expect(((await page.json()) as { items: unknown[] }).items, role).toEqual([]);
    }
  });
});
