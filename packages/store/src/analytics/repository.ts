import {
  fieldOfficeOf,
  REGION_BORDER,
  TRAFFIC_UNITS,
  type TrafficUnit,
} from '@interdict/analytics';
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { assertRole, type Actor, type Role } from '../actor';
import { StoreError } from '../errors';
import type { Store } from '../store';
import type { AnalyticsTables } from './tables';

/**
 * Who may read the analytics views. The data is public reference data loaded for the whole
 * instance, so every role inside an agency/hub/insurer may read it; federation partners (role
 * `partner`) get shared intelligence only, not this instance's loaded datasets.
 */
export const ANALYTICS_READER_ROLES: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer'];

export const SEIZURE_GROUPS = ['total', 'drug', 'region', 'component', 'aor'] as const;
export type SeizureGroup = (typeof SEIZURE_GROUPS)[number];
export const CROSSING_GROUPS = ['total', 'port', 'border', 'measure', 'state'] as const;
export type CrossingGroup = (typeof CROSSING_GROUPS)[number];
export const ROW_DATASETS = [
  'bts-crossings',
  'cbp-seizures',
  'unodc-seizures',
  'bts-ports',
  'wpi-ports',
  'unlocode',
] as const;
export type RowDataset = (typeof ROW_DATASETS)[number];

export interface SeizureFilter {
  drug?: string | undefined;
  region?: string | undefined;
  component?: string | undefined;
  aor?: string | undefined;
  landFilter?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface CrossingFilter {
  port?: string | undefined;
  border?: string | undefined;
  state?: string | undefined;
  measure?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface UnodcFilter {
  drug?: string | undefined;
  drugGroup?: string | undefined;
  region?: string | undefined;
  country?: string | undefined;
  year?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
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

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function checkMonth(name: string, value: string | undefined): void {
  if (value !== undefined && !MONTH.test(value)) {
    throw new StoreError('INVALID_ARGUMENT', `${name} must be a month YYYY-MM`, {
      details: { field: name },
    });
  }
}

function and(parts: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` AND `);
}

/** Set: a filter value that narrows the rows (an empty text box in the console does not). */
function isSet<V>(value: V | undefined): value is V {
  return value !== undefined && value !== '';
}

/**
 * `column = value` for each filter field that is set, in the order of `columns` (field → column).
 * Column names are this file's constants, never input; values are bound parameters.
 */
function equalities<F extends object>(
  f: F,
  columns: { readonly [K in keyof F]?: string },
  table?: string,
): RawBuilder<unknown>[] {
  const p: RawBuilder<unknown>[] = [];
  for (const [field, column] of Object.entries(columns) as [keyof F, string][]) {
    const value = f[field];
    const ref = table ? `${table}.${column}` : column;
    if (isSet(value)) p.push(sql`${sql.ref(ref)} = ${value}`);
  }
  return p;
}

/** `column` within [from, to], each bound only when set. */
function within<V extends string | number>(
  column: string,
  from: V | undefined,
  to: V | undefined,
): RawBuilder<unknown>[] {
  return [
    ...(isSet(from) ? [sql`${sql.ref(column)} >= ${from}`] : []),
    ...(isSet(to) ? [sql`${sql.ref(column)} <= ${to}`] : []),
  ];
}

/** Months `from` and `to` (YYYY-MM), checked before they reach SQL. */
function monthRange(f: { from?: string | undefined; to?: string | undefined }, table?: string) {
  checkMonth('from', f.from);
  checkMonth('to', f.to);
  return within(table ? `${table}.month` : 'month', f.from, f.to);
}

const SEIZURE_COLUMNS = {
  drug: 'drug',
  region: 'region',
  component: 'component',
  aor: 'aor',
  landFilter: 'land_filter',
} as const;
const CROSSING_COLUMNS = {
  port: 'port_code',
  border: 'border',
  state: 'state',
  measure: 'measure',
} as const;
const UNODC_COLUMNS = {
  drug: 'drug_sub_group',
  drugGroup: 'drug_group',
  region: 'region',
  country: 'country_code',
  year: 'year',
} as const;

function seizureWhere(f: SeizureFilter): RawBuilder<unknown> {
  const range = monthRange(f);
  return and([sql`effective`, ...equalities(f, SEIZURE_COLUMNS), ...range]);
}

/** `table`: the crossings' alias when the query joins a table with the same column names. */
function crossingWhere(f: CrossingFilter, table?: string): RawBuilder<unknown> {
  const range = monthRange(f, table);
  return and([...equalities(f, CROSSING_COLUMNS, table), ...range]);
}

function unodcWhere(f: UnodcFilter): RawBuilder<unknown> {
  return and([
    sql`kilograms IS NOT NULL`,
    ...equalities(f, UNODC_COLUMNS),
    ...within('year', f.from, f.to),
  ]);
}

/** The CBP rows every view reads: the effective version of each (revisions withdraw others). */
const CBP_EFFECTIVE = sql`analytics_cbp_seizures WHERE effective`;

const SEIZURE_GROUP_COLUMN: Record<SeizureGroup, RawBuilder<unknown>> = {
  total: sql`'all'`,
  drug: sql`drug`,
  region: sql`region`,
  component: sql`component`,
  aor: sql`aor`,
};
const CROSSING_GROUP_COLUMN: Record<CrossingGroup, RawBuilder<unknown>> = {
  total: sql`'all'`,
  port: sql`port_code`,
  border: sql`border`,
  measure: sql`measure`,
  state: sql`state`,
};

/** A seaport or UN/LOCODE location as both place queries select it (the map's points). */
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

/** Read side of the analytics datasets. Every method checks the actor's role first. */
export class AnalyticsRepository {
  private readonly db: Kysely<unknown>;
  constructor(store: Pick<Store, 'db'>) {
    this.db = store.db as unknown as Kysely<unknown>;
  }

  private allow(actor: Actor): void {
    assertRole(actor, ...ANALYTICS_READER_ROLES);
  }

  /** Throws FORBIDDEN unless the actor may read analytics (for callers serving cached views). */
  assertReader(actor: Actor): void {
    this.allow(actor);
  }

  /** Monthly CBP seizure events and pounds, one series per group value (effective rows only). */
  async seizureSeries(
    actor: Actor,
    group: SeizureGroup,
    f: SeizureFilter,
  ): Promise<SeizureAggregate[]> {
    this.allow(actor);
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
  async seizureFacets(
    actor: Actor,
  ): Promise<
    Record<'drug' | 'region' | 'component' | 'aor', string[]> & { months: [string, string] | null }
  > {
    this.allow(actor);
    const r = await sql<{ facet: string; value: string }>`
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
    for (const x of r.rows) out[x.facet as keyof typeof out].push(x.value);
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

  private portNames:
    | { version: string; rows: { port_code: string; port_name: string; state: string }[] }
    | undefined;

  /** Each land port's name and state, scanned from the 400k crossing rows once per data version. */
  private async crossingPortNames(): Promise<
    { port_code: string; port_name: string; state: string }[]
  > {
    const version = await this.dataVersion();
    if (this.portNames?.version !== version) {
      const r = await sql<{ port_code: string; port_name: string; state: string }>`
        SELECT port_code, min(port_name) AS port_name, min(state) AS state
        FROM analytics_bts_crossings GROUP BY port_code ORDER BY port_code`.execute(this.db);
      this.portNames = { version, rows: r.rows };
    }
    return this.portNames.rows;
  }

  /** First and last month of the effective CBP rows (null when none are loaded). */
  async seizureMonths(actor: Actor): Promise<[string, string] | null> {
    this.allow(actor);
    return this.monthSpan(CBP_EFFECTIVE);
  }

  /** Monthly BTS crossings, one series per group value. */
  async crossingSeries(
    actor: Actor,
    group: CrossingGroup,
    f: CrossingFilter,
  ): Promise<TrafficAggregate[]> {
    this.allow(actor);
    if (group !== 'measure' && !f.measure) {
      throw new StoreError(
        'INVALID_ARGUMENT',
        'choose a measure: crossings of different measures have different units',
        {
          details: { field: 'measure' },
        },
      );
    }
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

  /** Every land port with its coordinates and its total of one measure over a period (the map). */
  async crossingPorts(
    actor: Actor,
    f: CrossingFilter,
  ): Promise<
    {
      portCode: string;
      portName: string;
      state: string;
      border: string;
      latitude: number | null;
      longitude: number | null;
      fieldOffice: string | null;
      value: number;
      rows: number;
    }[]
  > {
    this.allow(actor);
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
      fieldOffice: fieldOfficeOf({ state: x.state, portName: x.port_name }),
      value: Number(x.value),
      rows: Number(x.rows),
    }));
  }

  /**
   * Traffic by CBP area and month in one unit (trucks, containers, personal vehicles,
   * pedestrians): by border region (US-Mexico ↔ Southwest Border, US-Canada ↔ Northern Border) or
   * by OFO field office (ports mapped with `fieldOfficeOf`).
   */
  async trafficByArea(
    actor: Actor,
    area: 'region' | 'field-office',
    unit: TrafficUnit,
    range: { from?: string | undefined; to?: string | undefined },
  ): Promise<TrafficAggregate[]> {
    this.allow(actor);
    const months = monthRange(range);
    const measures = TRAFFIC_UNITS[unit] as readonly string[];
    const p: RawBuilder<unknown>[] = [
      sql`measure IN (${sql.join(measures.map((m) => sql`${m}`))})`,
      ...months,
    ];
    // Group in SQL to one row per area and month; field offices come from a CASE over the
    // ports (117 of them), built with the same mapping the analytics package documents.
    let areaSql: RawBuilder<unknown>;
    if (area === 'region') {
      const cases = Object.entries(REGION_BORDER).map(
        ([region, border]) => sql`WHEN ${border} THEN ${region}`,
      );
      areaSql = sql`CASE border ${sql.join(cases, sql` `)} END`;
    } else {
      const ports = await this.crossingPortNames();
      const cases = ports
        .map(
          (x) => [x.port_code, fieldOfficeOf({ state: x.state, portName: x.port_name })] as const,
        )
        .filter(([, office]) => office !== null)
        .map(([code, office]) => sql`WHEN ${code} THEN ${office}`);
      if (cases.length === 0) return [];
      areaSql = sql`CASE port_code ${sql.join(cases, sql` `)} END`;
    }
    const r = await sql<{ key: string | null; month: string; value: string; rows: string }>`
      SELECT ${areaSql} AS key, month, sum(value) AS value, count(*) AS rows
      FROM analytics_bts_crossings WHERE ${and(p)}
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(this.db);
    return r.rows
      .filter((x) => x.key !== null)
      .map((x) => ({
        key: x.key as string,
        month: x.month,
        value: Number(x.value),
        rows: Number(x.rows),
      }));
  }

  /** UNODC kilograms by country, drug (sub-group) and year: every row summed, none deduplicated. */
  async unodcTotals(
    actor: Actor,
    f: UnodcFilter,
  ): Promise<
    {
      countryCode: string;
      country: string;
      region: string;
      subRegion: string;
      drug: string;
      year: number;
      kilograms: number;
      rows: number;
    }[]
  > {
    this.allow(actor);
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

  async unodcFacets(
    actor: Actor,
  ): Promise<{ drug: string[]; drugGroup: string[]; region: string[]; years: number[] }> {
    this.allow(actor);
    const r = await sql<{ facet: string; value: string }>`
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
      else out[x.facet as 'drug' | 'drugGroup' | 'region'].push(x.value);
    }
    return out;
  }

  async crossingFacets(actor: Actor): Promise<{
    measure: string[];
    border: string[];
    ports: { code: string; name: string; state: string }[];
    months: [string, string] | null;
  }> {
    this.allow(actor);
    const m = await sql<{
      measure: string;
    }>`SELECT DISTINCT measure FROM analytics_bts_crossings ORDER BY 1`.execute(this.db);
    const b = await sql<{
      border: string;
    }>`SELECT DISTINCT border FROM analytics_bts_crossings ORDER BY 1`.execute(this.db);
    const p = await sql<{ code: string; name: string; state: string }>`
      SELECT port_code AS code, min(port_name) AS name, min(state) AS state FROM analytics_bts_crossings
      GROUP BY port_code ORDER BY 2`.execute(this.db);
    return {
      measure: m.rows.map((x) => x.measure),
      border: b.rows.map((x) => x.border),
      ports: p.rows,
      months: await this.monthSpan(sql`analytics_bts_crossings`),
    };
  }

  /** World Port Index ports and UN/LOCODE border crossings / ports with coordinates (the map). */
  async places(
    actor: Actor,
    kind: 'wpi' | 'unlocode-border' | 'unlocode-port',
    country?: string,
  ): Promise<
    {
      id: string;
      name: string;
      country: string | null;
      latitude: number;
      longitude: number;
      detail: string | null;
      sourceName: string;
      sourceLine: number;
    }[]
  > {
    this.allow(actor);
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
  async sourceRows(
    actor: Actor,
    dataset: RowDataset,
    filter: SeizureFilter &
      CrossingFilter &
      Omit<UnodcFilter, 'from' | 'to'> & { month?: string | undefined },
    page: { limit: number; offset: number },
  ): Promise<{ items: Record<string, unknown>[]; total: number }> {
    this.allow(actor);
    checkMonth('month', filter.month);
    let table: string;
    let where: RawBuilder<unknown>;
    let order: RawBuilder<unknown>;
    switch (dataset) {
      case 'cbp-seizures':
        table = 'analytics_cbp_seizures';
        where = and([
          seizureWhere(filter),
          ...(filter.month ? [sql`month = ${filter.month}`] : []),
        ]);
        order = sql`month, aor, drug`;
        break;
      case 'bts-crossings':
        table = 'analytics_bts_crossings';
        where = and([
          crossingWhere(filter),
          ...(filter.month ? [sql`month = ${filter.month}`] : []),
        ]);
        order = sql`month, port_code, measure`;
        break;
      case 'unodc-seizures':
        table = 'analytics_unodc_seizures';
        where = unodcWhere({ ...filter, from: undefined, to: undefined });
        order = sql`country_code, year, drug_name`;
        break;
      case 'bts-ports':
        table = 'analytics_bts_ports';
        where = filter.port ? sql`port_code = ${filter.port}` : sql`true`;
        order = sql`port_code`;
        break;
      case 'wpi-ports':
        table = 'analytics_wpi_ports';
        where = filter.country ? sql`unlocode LIKE ${filter.country + '%'}` : sql`true`;
        order = sql`wpi_number`;
        break;
      case 'unlocode':
        table = 'analytics_unlocode';
        where = filter.country ? sql`country = ${filter.country}` : sql`true`;
        order = sql`locode`;
        break;
    }
    const t = sql.table(table);
    const total = await sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE ${where}`.execute(
      this.db,
    );
    const items = await sql<Record<string, unknown>>`
      SELECT * FROM ${t} WHERE ${where} ORDER BY ${order}, source_name, source_line
      LIMIT ${page.limit} OFFSET ${page.offset}`.execute(this.db);
    return { items: items.rows, total: Number(total.rows[0]?.n ?? 0) };
  }

  /** What is loaded: one line per dataset release, and the change log of revisions. */
  async sources(actor: Actor): Promise<
    {
      kind: string;
      release: string;
      sourceName: string;
      sha256: string;
      rowCount: number;
      firstPeriod: string | null;
      lastPeriod: string | null;
      jobId: string | null;
      ingestedAt: Date;
    }[]
  > {
    this.allow(actor);
    const r = await sql<Selectable<AnalyticsTables['analytics_sources']>>`
      SELECT * FROM analytics_sources ORDER BY kind, release`.execute(this.db);
    return r.rows.map((x) => ({
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

  async changes(
    actor: Actor,
    f: { jobId?: string | undefined; kind?: string | undefined; limit: number },
  ): Promise<
    {
      seq: number;
      jobId: string | null;
      kind: string;
      release: string;
      change: string;
      rowKey: string;
      before: unknown;
      after: unknown;
      createdAt: Date;
    }[]
  > {
    this.allow(actor);
    const where = and(equalities(f, { jobId: 'job_id', kind: 'kind' }));
    const r = await sql<Selectable<AnalyticsTables['analytics_changes']>>`
      SELECT * FROM analytics_changes WHERE ${where} ORDER BY seq DESC LIMIT ${f.limit}`.execute(
      this.db,
    );
    return r.rows.map((x) => ({
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

  /** Row counts per dataset for GET /api/summary (no role check: counts are not the data). */
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
