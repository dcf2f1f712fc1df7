import type { ColumnType, Generated } from 'kysely';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A dataset row as `to_jsonb` stores it: each column's scalar value by name. */
export type AnalyticsJsonRow = { [column: string]: string | number | boolean | null };
/** A jsonb row image, written as JSON text (or null). */
type JsonRowImage = ColumnType<AnalyticsJsonRow | null, string | null, string | null>;

/** What a revised file did to a stored row (`analytics_changes.change`, written by the loader). */
export type AnalyticsChangeKind = 'insert' | 'update' | 'delete';

/** Analytics tables (migration 0400), for typed Kysely access; see ./migrations.ts. */
export interface AnalyticsTables {
  analytics_sources: {
    kind: string;
    release: string;
    source_name: string;
    sha256: string;
    row_count: number;
    first_period: string | null;
    last_period: string | null;
    job_id: string | null;
    ingested_at: DefaultTimestamp;
  };
  analytics_changes: {
    /** bigserial: int8 comes back as a number on both engines (open.ts). */
    seq: Generated<number>;
    job_id: string | null;
    kind: string;
    release: string;
    change: AnalyticsChangeKind;
    row_key: string;
    /** The stored row before the change (`to_jsonb` of the row), null for an insert. */
    before: JsonRowImage;
    /** The row the file brought, null for a withdrawn row. */
    after: JsonRowImage;
    created_at: DefaultTimestamp;
  };
  analytics_bts_crossings: {
    port_code: string;
    month: string;
    measure: string;
    occurrence: number;
    /** bigint: int8 comes back as a number on both engines (open.ts). */
    value: number;
    port_name: string;
    state: string;
    border: string;
    source_name: string;
    source_line: number;
  };
  analytics_bts_ports: {
    port_code: string;
    occurrence: number;
    port_name: string;
    state: string;
    border: string;
    latitude: number | null;
    longitude: number | null;
    first_month: string;
    last_month: string;
    row_count: number;
    field_office: string | null;
    source_name: string;
    source_line: number;
  };
  analytics_cbp_seizures: {
    release: string;
    fiscal_year: number;
    fiscal_month: string;
    component: string;
    region: string;
    land_filter: string;
    aor: string;
    drug: string;
    occurrence: number;
    month: string;
    fytd: boolean;
    events: number;
    pounds: number;
    effective: Generated<boolean>;
    source_name: string;
    source_line: number;
  };
  analytics_unodc_seizures: {
    year: number;
    country_code: string;
    drug_group: string;
    drug_sub_group: string;
    drug_name: string;
    occurrence: number;
    region: string;
    sub_region: string;
    country: string;
    kilograms: number | null;
    source_name: string;
    source_line: number;
  };
  analytics_wpi_ports: {
    wpi_number: string;
    occurrence: number;
    name: string;
    alternate_name: string | null;
    unlocode: string | null;
    country_name: string | null;
    region: string;
    water_body: string;
    harbor_size: string | null;
    harbor_type: string | null;
    harbor_use: string | null;
    latitude: number;
    longitude: number;
    source_name: string;
    source_line: number;
  };
  analytics_unlocode: {
    locode: string;
    occurrence: number;
    country: string;
    name: string;
    name_wo_diacritics: string;
    subdivision: string | null;
    status: string | null;
    functions: string;
    is_port: boolean;
    is_border_crossing: boolean;
    iata: string | null;
    latitude: number | null;
    longitude: number | null;
    geocoded: boolean;
    repaired: boolean;
    source_name: string;
    source_line: number;
  };
}

/** The tables that hold a dataset's rows (the other two are the loader's bookkeeping). */
export type AnalyticsDatasetTable = Exclude<
  keyof AnalyticsTables,
  'analytics_sources' | 'analytics_changes'
>;
