import {
  cbpWinningRelease,
  fieldOfficeOf,
  parseBorderCrossings,
  parseBorderPorts,
  parseCbpSeizures,
  parseUnlocode,
  parseUnodcSeizures,
  parseWorldPortIndex,
  type BorderCrossing,
  type BorderPort,
  type CbpSeizure,
  type UnLocation,
  type UnodcSeizure,
  type WorldPort,
} from '@interdict/analytics';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { registerIngestKind, type IngestContext } from '../ingest/registry';
import { loadDataset, type DatasetSpec } from './loader';

export const btsCrossingsSpec: DatasetSpec<BorderCrossing> = {
  kind: 'bts-crossings',
  table: 'analytics_bts_crossings',
  key: ['port_code', 'month', 'measure'],
  data: ['value', 'port_name', 'state', 'border'],
  scope: 'merge',
  parse: (input, sourceName) => parseBorderCrossings(input, { sourceName }),
  toRow: (r) => ({
    port_code: r.portCode,
    month: r.month,
    measure: r.measure,
    value: r.value,
    port_name: r.portName,
    state: r.state,
    border: r.border,
  }),
  line: (r) => r.line,
  period: (r) => r.month,
};

export const btsPortsSpec: DatasetSpec<BorderPort> = {
  kind: 'bts-ports',
  table: 'analytics_bts_ports',
  key: ['port_code'],
  data: [
    'port_name',
    'state',
    'border',
    'latitude',
    'longitude',
    'first_month',
    'last_month',
    'row_count',
    'field_office',
  ],
  scope: 'replace',
  parse: (input, sourceName) => parseBorderPorts(input, { sourceName }),
  toRow: (r) => ({
    port_code: r.portCode,
    port_name: r.portName,
    state: r.state,
    border: r.border,
    latitude: r.latitude,
    longitude: r.longitude,
    first_month: r.firstMonth,
    last_month: r.lastMonth,
    row_count: r.rowCount,
    field_office: fieldOfficeOf(r),
  }),
  line: (r) => r.line,
  period: (r) => r.lastMonth,
};

/**
 * Marks, for every fiscal year, the rows of the release that wins it (the release whose window
 * ends latest: SOURCE.md takes FY2019–FY2021 from fy19_22 and FY2022 on from fy22_25).
 */
async function markEffectiveCbpRows(db: Kysely<Database>): Promise<void> {
  const coverage = await db
    .selectFrom('analytics_cbp_seizures')
    .select((eb) => [
      'release',
      eb.fn.min('fiscal_year').as('first'),
      eb.fn.max('fiscal_year').as('last'),
    ])
    .groupBy('release')
    .orderBy('release')
    .execute();
  const winners = cbpWinningRelease(
    coverage.map((r) => ({ name: r.release, first: Number(r.first), last: Number(r.last) })),
  );
  await db
    .updateTable('analytics_cbp_seizures')
    .set({ effective: false })
    .where('effective', '=', true)
    .execute();
  for (const [fy, release] of winners) {
    await db
      .updateTable('analytics_cbp_seizures')
      .set({ effective: true })
      .where('fiscal_year', '=', fy)
      .where('release', '=', release)
      .execute();
  }
}

/** The release each fiscal year's effective CBP rows come from (fiscal year as text). */
async function cbpReleasesInForce(db: Kysely<Database>): Promise<ReadonlyMap<string, string>> {
  const rows = await db
    .selectFrom('analytics_cbp_seizures')
    .select(['fiscal_year', 'release'])
    .distinct()
    .where('effective', '=', true)
    .orderBy('fiscal_year')
    .execute();
  return new Map(rows.map((r) => [String(r.fiscal_year), r.release]));
}

export const cbpSeizuresSpec: DatasetSpec<CbpSeizure> = {
  kind: 'cbp-seizures',
  table: 'analytics_cbp_seizures',
  key: [
    'release',
    'fiscal_year',
    'fiscal_month',
    'component',
    'region',
    'land_filter',
    'aor',
    'drug',
  ],
  data: ['month', 'fytd', 'events', 'pounds'],
  scope: 'release',
  parse: (input, sourceName) => parseCbpSeizures(input, { sourceName }),
  toRow: (r) => ({
    release: '',
    fiscal_year: r.fiscalYear,
    fiscal_month: r.month.slice(5),
    component: r.component,
    region: r.region,
    land_filter: r.landFilter,
    aor: r.areaOfResponsibility,
    drug: r.drug,
    month: r.month,
    fytd: r.fiscalYearToDate,
    events: r.events,
    pounds: r.pounds,
    effective: false,
  }),
  line: (r) => r.line,
  period: (r) => String(r.fiscalYear),
  release: (first, last) => `FY${first}-FY${last}`,
  afterLoad: markEffectiveCbpRows,
  inForce: cbpReleasesInForce,
};

export const unodcSeizuresSpec: DatasetSpec<UnodcSeizure> = {
  kind: 'unodc-seizures',
  table: 'analytics_unodc_seizures',
  key: ['year', 'country_code', 'drug_group', 'drug_sub_group', 'drug_name'],
  data: ['region', 'sub_region', 'country', 'kilograms'],
  scope: 'replace',
  parse: (input, sourceName) => parseUnodcSeizures(input, { sourceName }),
  toRow: (r) => ({
    year: r.year,
    country_code: r.countryCode,
    drug_group: r.drugGroup,
    drug_sub_group: r.drugSubGroup,
    drug_name: r.drugName,
    region: r.region,
    sub_region: r.subRegion,
    country: r.country,
    kilograms: r.kilograms,
  }),
  line: (r) => r.line,
  period: (r) => String(r.year),
  tally: (r, counts) => {
    if (r.kilograms === null) counts.noQuantity = (counts.noQuantity ?? 0) + 1;
  },
};

export const wpiPortsSpec: DatasetSpec<WorldPort> = {
  kind: 'wpi-ports',
  table: 'analytics_wpi_ports',
  key: ['wpi_number'],
  data: [
    'name',
    'alternate_name',
    'unlocode',
    'country_name',
    'region',
    'water_body',
    'harbor_size',
    'harbor_type',
    'harbor_use',
    'latitude',
    'longitude',
  ],
  scope: 'replace',
  parse: (input, sourceName) => parseWorldPortIndex(input, { sourceName }),
  toRow: (r) => ({
    wpi_number: r.wpiNumber,
    name: r.name,
    alternate_name: r.alternateName,
    unlocode: r.unlocode,
    country_name: r.countryName,
    region: r.region,
    water_body: r.waterBody,
    harbor_size: r.harborSize,
    harbor_type: r.harborType,
    harbor_use: r.harborUse,
    latitude: r.latitude,
    longitude: r.longitude,
  }),
  line: (r) => r.line,
  period: () => 'current',
  tally: (r, counts) => {
    if (r.unlocode === null) counts.noUnlocode = (counts.noUnlocode ?? 0) + 1;
  },
};

export const unlocodeSpec: DatasetSpec<UnLocation> = {
  kind: 'unlocode',
  table: 'analytics_unlocode',
  key: ['locode'],
  data: [
    'country',
    'name',
    'name_wo_diacritics',
    'subdivision',
    'status',
    'functions',
    'is_port',
    'is_border_crossing',
    'iata',
    'latitude',
    'longitude',
    'geocoded',
    'repaired',
  ],
  scope: 'replace',
  parse: (input, sourceName) => parseUnlocode(input, { sourceName }),
  toRow: (r) => ({
    locode: r.locode,
    country: r.country,
    name: r.name,
    name_wo_diacritics: r.nameWoDiacritics,
    subdivision: r.subdivision,
    status: r.status,
    functions: r.functions,
    is_port: r.isPort,
    is_border_crossing: r.isBorderCrossing,
    iata: r.iata,
    latitude: r.latitude,
    longitude: r.longitude,
    geocoded: r.geocoded,
    repaired: r.repaired,
  }),
  line: (r) => r.line,
  period: () => 'current',
  tally: (r, counts) => {
    if (r.repaired) counts.repairedNames = (counts.repairedNames ?? 0) + 1;
    if (r.latitude === null) counts.noCoordinates = (counts.noCoordinates ?? 0) + 1;
  },
};

const kinds: [DatasetSpec<never>, string, string][] = [
  [
    btsCrossingsSpec as DatasetSpec<never>,
    'BTS border crossings: inbound crossings per land port, month and measure',
    'Border_Crossing_Entry_Data.csv (BTS), plain or .gz',
  ],
  [
    btsPortsSpec as DatasetSpec<never>,
    'BTS border ports: one row per land port with coordinates',
    'border_ports.csv',
  ],
  [
    cbpSeizuresSpec as DatasetSpec<never>,
    'CBP nationwide drug seizures, monthly by field office or sector (one release file)',
    'nationwide-drugs-fyXX-fyYY.csv (CBP)',
  ],
  [
    unodcSeizuresSpec as DatasetSpec<never>,
    'UNODC drug seizures by country, drug and year (World Drug Report annex)',
    'drug_seizures_2018_2022.csv (UNODC, sheet Export as CSV)',
  ],
  [wpiPortsSpec as DatasetSpec<never>, 'NGA World Port Index (Pub 150)', 'UpdatedPub150.csv'],
  [
    unlocodeSpec as DatasetSpec<never>,
    'UN/LOCODE locations with coordinates',
    'unlocode CSV (geoapify layout)',
  ],
];

for (const [spec, description, fileHint] of kinds) {
  registerIngestKind({
    kind: spec.kind,
    description,
    fileHint,
    // The dataset's table and the bookkeeping the loader writes beside it (analysed after the
    // job, see ingest/run.ts).
    tables: [spec.table, 'analytics_sources', 'analytics_changes'],
    run: (ctx: IngestContext) => loadDataset(spec, ctx),
  });
}
