import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Database } from '../database';
import type { Store } from '../store';
import {
  and,
  checkMonth,
  CROSSING_GROUP_COLUMN,
  crossingWhere,
  equalities,
  monthRange,
  SEIZURE_GROUP_COLUMN,
  seizureWhere,
  unodcWhere,
  type Condition,
  type CrossingFilter,
  type CrossingGroup,
  type SeizureFilter,
  type SeizureGroup,
  type SourceRowsFilter,
  type UnodcFilter,
} from './filters';
import type {
  AnalyticsChangeKind,
  AnalyticsDatasetTable,
  AnalyticsJsonRow,
  AnalyticsTables,
} from './tables';

export {
  CROSSING_GROUPS,
  SEIZURE_GROUPS,
  type CrossingFilter,
  type CrossingGroup,
  type SeizureFilter,
  type SeizureGroup,
  type SourceRowsFilter,
  type UnodcFilter,
} from './filters';
export type {
  AnalyticsChangeKind,
  AnalyticsDatasetTable,
  AnalyticsJsonRow,
  AnalyticsTables,
} from './tables';
export {
  ANALYTICS_RELEASE_RECORD,
  type AnalyticsReleaseRecord,
  type AnalyticsReleaseInForce,
} from './loader';

/** The datasets whose source rows can be listed, each named like its ingest kind. */
export const ROW_DATASETS = [
  'bts-crossings',
  'cbp-seizures',
  'unodc-seizures',
  'bts-ports',
  'wpi-ports',
  'unlocode',
] as const;
export type RowDataset = (typeof ROW_DATASETS)[number];

/** The table behind each listable dataset. */
const ROW_TABLES = {
  'bts-crossings': 'analytics_bts_crossings',
  'cbp-seizures': 'analytics_cbp_seizures',
  'unodc-seizures': 'analytics_unodc_seizures',
  'bts-ports': 'analytics_bts_ports',
  'wpi-ports': 'analytics_wpi_ports',
  unlocode: 'analytics_unlocode',
} as const satisfies Record<RowDataset, AnalyticsDatasetTable>;

/** One stored row of a dataset, as the database holds it (with its file and line). */
export type DatasetRow<D extends RowDataset> = Selectable<AnalyticsTables[(typeof ROW_TABLES)[D]]>;

/** A page of one dataset's source rows. */
export interface SourceRowsPage<D extends RowDataset> {
  items: DatasetRow<D>[];
  total: number;
}

export interface SeizureAggregate {
  key: string;
  month: string;
  events: number;
  pounds: number;
  rows: number;
}

export interface TrafficAggregate {
  key: string;
  month: string;
  value: number;
  rows: number;
}

/** A land port's total of one measure over a period, with its coordinates when known. */
export interface CrossingPortTotal {
  portCode: string;
  portName: string;
  state: string;
  border: string;
  latitude: number | null;
  longitude: number | null;
  value: number;
  rows: number;
}

/** UNODC kilograms of one drug (sub-group) seized in one country and year. */
export interface UnodcTotal {
  countryCode: string;
  country: string;
  region: string;
  subRegion: string;
  drug: string;
  year: number;
  kilograms: number;
  rows: number;
}

export type PlaceKind = 'wpi' | 'unlocode-border' | 'unlocode-port';

/** A seaport or UN/LOCODE location with coordinates (the map's points). */
export interface Place {
  id: string;
  name: string;
  country: string | null;
  latitude: number;
  longitude: number;
  detail: string | null;
  sourceName: string;
  sourceLine: number;
}

/** One loaded dataset release: the file it came from and the job that loaded it. */
export interface DatasetRelease {
  kind: string;
  release: string;
  sourceName: string;
  sha256: string;
  rowCount: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
  jobId: string | null;
  ingestedAt: Date;
}

/** One row a revised file inserted, updated or withdrew, before and after. */
export interface DatasetChange {
  seq: number;
  jobId: string | null;
  kind: string;
  release: string;
  change: AnalyticsChangeKind;
  rowKey: string;
  before: AnalyticsJsonRow | null;
  after: AnalyticsJsonRow | null;
  createdAt: Date;
}

/** A land port's name and state as its crossing rows give them. */
export interface CrossingPortName {
  portCode: string;
  portName: string;
  state: string;
}

/** How traffic is grouped into areas: a column of the crossing rows and each value's area. */
export interface TrafficAreas {
  readonly column: 'border' | 'port_code';
  /** Column value → area; rows whose value has no area are left out. */
  readonly areaOf: ReadonlyMap<string, string>;
}

/** How each listable dataset's rows are filtered and ordered. */
const ROW_SOURCES: {
  [D in RowDataset]: { where(f: SourceRowsFilter): Condition; order: RawBuilder<unknown> };
} = {
  'cbp-seizures': {
    where: (f) => and([seizureWhere(f), ...(f.month ? [sql<boolean>`month = ${f.month}`] : [])]),
    order: sql`month, aor, drug`,
  },
  'bts-crossings': {
    where: (f) => and([crossingWhere(f), ...(f.month ? [sql<boolean>`month = ${f.month}`] : [])]),
    order: sql`month, port_code, measure`,
  },
  'unodc-seizures': {
    where: (f) => unodcWhere({ ...f, from: undefined, to: undefined }),
    order: sql`country_code, year, drug_name`,
  },
  'bts-ports': {
    where: (f) => (f.port ? sql<boolean>`port_code = ${f.port}` : sql<boolean>`true`),
    order: sql`port_code`,
  },
  'wpi-ports': {
    where: (f) => (f.country ? sql<boolean>`unlocode LIKE ${f.country + '%'}` : sql<boolean>`true`),
    order: sql`wpi_number`,
  },
  unlocode: {
    where: (f) => (f.country ? sql<boolean>`country = ${f.country}` : sql<boolean>`true`),
    order: sql`locode`,
  },
};

/** The CBP rows every view reads: the effective version of each (revisions withdraw others). */
const CBP_EFFECTIVE = sql`analytics_cbp_seizures WHERE effective`;

/** A seaport or UN/LOCODE location as both place queries select it. */
interface PlaceRow {
  id: string;
  name: string;
  country: string | null;
  latitude: number;
  longitude: number;
  detail: string | null;
  source_name: string;
  source_line: number;
}

/**
 * The analytics datasets' queries: I/O only. The datasets are public reference data loaded for
 * the whole instance (no organisation owns a row), so nothing here is scoped; who may read them
 * is the analytics service's decision (packages/services/src/analytics).
 */
export class AnalyticsRepository {
  private readonly db: Kysely<Database>;
  constructor(store: Pick<Store, 'db'>) {
    this.db = store.db;
  }

  /** Monthly CBP seizure events and pounds, one series per group value (effective rows only). */
  async seizureSeries(group: SeizureGroup, f: SeizureFilter): Promise<SeizureAggregate[]> {
    const col = SEIZURE_GROUP_COLUMN[group];
    const r = await sql<{
      key: string;
      month: string;
      events: string;
      pounds: number;
      rows: string;
    }>`
      SELECT ${col} AS key, month, sum(events) AS events, sum(pounds) AS pounds, count(*) AS rows
      FROM analytics_cbp_seizures WHERE ${seizureWhere(f)}
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(this.db);
    return r.rows.map((x) => ({
      key: x.key,
      month: x.month,
      events: Number(x.events),
      pounds: Number(x.pounds),
      rows: Number(x.rows),
    }));
  }

  /** Values available for each seizure filter (for the console's pickers). */
  async seizureFacets(): Promise<
    Record<'drug' | 'region' | 'component' | 'aor', string[]> & { months: [string, string] | null }
  > {
    const r = await sql<{ facet: 'drug' | 'region' | 'component' | 'aor'; value: string }>`
      SELECT DISTINCT 'drug' AS facet, drug AS value FROM analytics_cbp_seizures WHERE effective
      UNION SELECT DISTINCT 'region', region FROM analytics_cbp_seizures WHERE effective
      UNION SELECT DISTINCT 'component', component FROM analytics_cbp_seizures WHERE effective
      UNION SELECT DISTINCT 'aor', aor FROM analytics_cbp_seizures WHERE effective
      ORDER BY 1, 2`.execute(this.db);
    const out = {
      drug: [] as string[],
      region: [] as string[],
      component: [] as string[],
      aor: [] as string[],
    };
    for (const x of r.rows) out[x.facet].push(x.value);
    return { ...out, months: await this.monthSpan(CBP_EFFECTIVE) };
  }

  /** First and last month of a table's rows (null when it has none). */
  private async monthSpan(rows: RawBuilder<unknown>): Promise<[string, string] | null> {
    const m = await sql<{ lo: string | null; hi: string | null }>`
      SELECT min(month) AS lo, max(month) AS hi FROM ${rows}`.execute(this.db);
    const lo = m.rows[0]?.lo;
    const hi = m.rows[0]?.hi;
    return lo && hi ? [lo, hi] : null;
  }

  /** Each land port's name and state, from the crossing rows (a scan of all of them). */
  async crossingPortNames(): Promise<CrossingPortName[]> {
    const r = await sql<{ port_code: string; port_name: string; state: string }>`
      SELECT port_code, min(port_name) AS port_name, min(state) AS state
      FROM analytics_bts_crossings GROUP BY port_code ORDER BY port_code`.execute(this.db);
    return r.rows.map((x) => ({ portCode: x.port_code, portName: x.port_name, state: x.state }));
  }

  /** First and last month of the effective CBP rows (null when none are loaded). */
  async seizureMonths(): Promise<[string, string] | null> {
    return this.monthSpan(CBP_EFFECTIVE);
  }

  /** Monthly BTS crossings, one series per group value. */
  async crossingSeries(group: CrossingGroup, f: CrossingFilter): Promise<TrafficAggregate[]> {
    const col = CROSSING_GROUP_COLUMN[group];
    const r = await sql<{ key: string; month: string; value: string; rows: string }>`
      SELECT ${col} AS key, month, sum(value) AS value, count(*) AS rows
      FROM analytics_bts_crossings WHERE ${crossingWhere(f)}
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(this.db);
    return r.rows.map((x) => ({
      key: x.key,
      month: x.month,
      value: Number(x.value),
      rows: Number(x.rows),
    }));
  }

  /** Every land port with its coordinates and its total of one measure over a period. */
  async crossingPorts(f: CrossingFilter): Promise<CrossingPortTotal[]> {
    // Coordinates come from the ports lookup when it is loaded, else from the crossing rows.
    const r = await sql<{
      port_code: string;
      port_name: string;
      state: string;
      border: string;
      value: string;
      rows: string;
      latitude: number | null;
      longitude: number | null;
    }>`
      SELECT c.port_code, min(c.port_name) AS port_name, min(c.state) AS state, min(c.border) AS border,
        sum(c.value) AS value, count(*) AS rows, min(p.latitude) AS latitude, min(p.longitude) AS longitude
      FROM analytics_bts_crossings c
      LEFT JOIN analytics_bts_ports p ON p.port_code = c.port_code AND p.occurrence = 0
      WHERE ${crossingWhere(f, 'c')}
      GROUP BY c.port_code ORDER BY c.port_code`.execute(this.db);
    return r.rows.map((x) => ({
      portCode: x.port_code,
      portName: x.port_name,
      state: x.state,
      border: x.border,
      latitude: x.latitude === null ? null : Number(x.latitude),
      longitude: x.longitude === null ? null : Number(x.longitude),
      value: Number(x.value),
      rows: Number(x.rows),
    }));
  }

  /**
   * Traffic of `measures` by area and month: the crossing rows' `areas.column` value mapped to
   * its area in SQL (a CASE over the map), one row per area and month.
   */
  async trafficByArea(
    areas: TrafficAreas,
    measures: readonly string[],
    range: { from?: string | undefined; to?: string | undefined },
  ): Promise<TrafficAggregate[]> {
    const months = monthRange(range);
    if (areas.areaOf.size === 0 || measures.length === 0) return [];
    const p: Condition[] = [
      sql<boolean>`measure IN (${sql.join(measures.map((m) => sql`${m}`))})`,
      ...months,
    ];
    const cases = [...areas.areaOf].map(([value, area]) => sql`WHEN ${value} THEN ${area}`);
    const areaSql = sql`CASE ${sql.ref(areas.column)} ${sql.join(cases, sql` `)} END`;
    const r = await sql<{ key: string | null; month: string; value: string; rows: string }>`
      SELECT ${areaSql} AS key, month, sum(value) AS value, count(*) AS rows
      FROM analytics_bts_crossings WHERE ${and(p)}
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(this.db);
    return r.rows.flatMap((x) =>
      x.key === null
        ? []
        : [{ key: x.key, month: x.month, value: Number(x.value), rows: Number(x.rows) }],
    );
  }

  /** UNODC kilograms by country, drug (sub-group) and year: every row summed, none deduplicated. */
  async unodcTotals(f: UnodcFilter): Promise<UnodcTotal[]> {
    const r = await sql<{
      country_code: string;
      country: string;
      region: string;
      sub_region: string;
      drug: string;
      year: number;
      kilograms: number;
      rows: string;
    }>`
      SELECT country_code, min(country) AS country, min(region) AS region, min(sub_region) AS sub_region,
        drug_sub_group AS drug, year, sum(kilograms) AS kilograms, count(*) AS rows
      FROM analytics_unodc_seizures WHERE ${unodcWhere(f)}
      GROUP BY country_code, drug_sub_group, year ORDER BY country_code, drug_sub_group, year`.execute(
      this.db,
    );
    return r.rows.map((x) => ({
      countryCode: x.country_code,
      country: x.country,
      region: x.region,
      subRegion: x.sub_region,
      drug: x.drug,
      year: Number(x.year),
      kilograms: Number(x.kilograms),
      rows: Number(x.rows),
    }));
  }

  async unodcFacets(): Promise<{
    drug: string[];
    drugGroup: string[];
    region: string[];
    years: number[];
  }> {
    const r = await sql<{ facet: 'drug' | 'drugGroup' | 'region' | 'year'; value: string }>`
      SELECT DISTINCT 'drug' AS facet, drug_sub_group AS value FROM analytics_unodc_seizures
      UNION SELECT DISTINCT 'drugGroup', drug_group FROM analytics_unodc_seizures
      UNION SELECT DISTINCT 'region', region FROM analytics_unodc_seizures
      UNION SELECT DISTINCT 'year', year::text FROM analytics_unodc_seizures
      ORDER BY 1, 2`.execute(this.db);
    const out = {
      drug: [] as string[],
      drugGroup: [] as string[],
      region: [] as string[],
      years: [] as number[],
    };
    for (const x of r.rows) {
      if (x.facet === 'year') out.years.push(Number(x.value));
      else out[x.facet].push(x.value);
    }
    return out;
  }

  async crossingFacets(): Promise<{
    measure: string[];
    border: string[];
    ports: { code: string; name: string; state: string }[];
    months: [string, string] | null;
  }> {
    const m = await this.db
      .selectFrom('analytics_bts_crossings')
      .select('measure')
      .distinct()
      .orderBy('measure')
      .execute();
    const b = await this.db
      .selectFrom('analytics_bts_crossings')
      .select('border')
      .distinct()
      .orderBy('border')
      .execute();
    const p = await sql<{ code: string; name: string; state: string }>`
      SELECT port_code AS code, min(port_name) AS name, min(state) AS state FROM analytics_bts_crossings
      GROUP BY port_code ORDER BY 2`.execute(this.db);
    return {
      measure: m.map((x) => x.measure),
      border: b.map((x) => x.border),
      ports: p.rows,
      months: await this.monthSpan(sql`analytics_bts_crossings`),
    };
  }

  /** World Port Index ports and UN/LOCODE border crossings / ports with coordinates (the map). */
  async places(kind: PlaceKind, country?: string): Promise<Place[]> {
    const r =
      kind === 'wpi'
        ? await sql<PlaceRow>`
          SELECT wpi_number AS id, name, country_name AS country, latitude, longitude,
            coalesce(unlocode, '') || CASE WHEN harbor_size IS NULL THEN '' ELSE ' ' || harbor_size END AS detail,
            source_name, source_line
          FROM analytics_wpi_ports WHERE ${country ? sql`unlocode LIKE ${country + '%'}` : sql`true`}
          ORDER BY wpi_number`.execute(this.db)
        : await sql<PlaceRow>`
          SELECT locode AS id, name, country, latitude, longitude, functions AS detail, source_name, source_line
          FROM analytics_unlocode
          WHERE latitude IS NOT NULL AND ${kind === 'unlocode-border' ? sql`is_border_crossing` : sql`is_port`}
            AND ${country ? sql`country = ${country}` : sql`true`}
          ORDER BY locode`.execute(this.db);
    return r.rows.map((x) => ({
      id: x.id,
      name: x.name,
      country: x.country,
      latitude: Number(x.latitude),
      longitude: Number(x.longitude),
      detail: x.detail,
      sourceName: x.source_name,
      sourceLine: Number(x.source_line),
    }));
  }

  /**
   * The source rows behind a figure, with the file and line each came from. Filters are the
   * same as the view's, so a figure's link reproduces exactly the rows summed into it.
   */
  async sourceRows<D extends RowDataset>(
    dataset: D,
    filter: SourceRowsFilter,
    page: { limit: number; offset: number },
  ): Promise<SourceRowsPage<D>> {
    checkMonth('month', filter.month);
    const source = ROW_SOURCES[dataset];
    const t = sql.table(ROW_TABLES[dataset]);
    const where = source.where(filter);
    const total = await sql<{ n: number }>`SELECT count(*) AS n FROM ${t} WHERE ${where}`.execute(
      this.db,
    );
    const items = await sql<DatasetRow<D>>`
      SELECT * FROM ${t} WHERE ${where} ORDER BY ${source.order}, source_name, source_line
      LIMIT ${page.limit} OFFSET ${page.offset}`.execute(this.db);
    return { items: items.rows, total: Number(total.rows[0]?.n ?? 0) };
  }

  /** What is loaded: one line per dataset release. */
  async sources(): Promise<DatasetRelease[]> {
    const rows = await this.db
      .selectFrom('analytics_sources')
      .selectAll()
      .orderBy('kind')
      .orderBy('release')
      .execute();
    return rows.map((x) => ({
      kind: x.kind,
      release: x.release,
      sourceName: x.source_name,
      sha256: x.sha256,
      rowCount: Number(x.row_count),
      firstPeriod: x.first_period,
      lastPeriod: x.last_period,
      jobId: x.job_id,
      ingestedAt: new Date(x.ingested_at),
    }));
  }

  /** The change log of revisions, newest first. */
  async changes(f: {
    jobId?: string | undefined;
    kind?: string | undefined;
    limit: number;
  }): Promise<DatasetChange[]> {
    const where = and(equalities(f, { jobId: 'job_id', kind: 'kind' }));
    const rows = await this.db
      .selectFrom('analytics_changes')
      .selectAll()
      .where(where)
      .orderBy('seq', 'desc')
      .limit(f.limit)
      .execute();
    return rows.map((x) => ({
      seq: Number(x.seq),
      jobId: x.job_id,
      kind: x.kind,
      release: x.release,
      change: x.change,
      rowKey: x.row_key,
      before: x.before,
      after: x.after,
      createdAt: new Date(x.created_at),
    }));
  }

  /**
   * A cheap fingerprint of what is loaded: it changes whenever an ingest changes a dataset, so
   * callers may cache derived values (such as the facets) until it does.
   */
  async dataVersion(): Promise<string> {
    const r = await sql<{ v: string }>`
      SELECT count(*)::text || '|' || coalesce(max(ingested_at)::text, '') AS v FROM analytics_sources`.execute(
      this.db,
    );
    return r.rows[0]?.v ?? '';
  }

  /** Row counts per dataset (GET /api/summary). */
  async counts(): Promise<{ kind: string; rows: number; updatedAt: Date | null }[]> {
    const r = await sql<{ kind: string; rows: string; updated_at: Date | null }>`
      SELECT 'bts-crossings' AS kind, (SELECT count(*) FROM analytics_bts_crossings) AS rows,
        (SELECT max(ingested_at) FROM analytics_sources WHERE kind = 'bts-crossings') AS updated_at
      UNION ALL SELECT 'bts-ports', (SELECT count(*) FROM analytics_bts_ports),
        (SELECT max(ingested_at) FROM analytics_sources WHERE kind = 'bts-ports')
      UNION ALL SELECT 'cbp-seizures', (SELECT count(*) FROM analytics_cbp_seizures WHERE effective),
        (SELECT max(ingested_at) FROM analytics_sources WHERE kind = 'cbp-seizures')
      UNION ALL SELECT 'unodc-seizures', (SELECT count(*) FROM analytics_unodc_seizures),
        (SELECT max(ingested_at) FROM analytics_sources WHERE kind = 'unodc-seizures')
      UNION ALL SELECT 'wpi-ports', (SELECT count(*) FROM analytics_wpi_ports),
        (SELECT max(ingested_at) FROM analytics_sources WHERE kind = 'wpi-ports')
      UNION ALL SELECT 'unlocode', (SELECT count(*) FROM analytics_unlocode),
        (SELECT max(ingested_at) FROM analytics_sources WHERE kind = 'unlocode')`.execute(this.db);
    return r.rows.map((x) => ({
      kind: x.kind,
      rows: Number(x.rows),
      updatedAt: x.updated_at ? new Date(x.updated_at) : null,
    }));
  }
}
