import type { ColumnType, Generated } from 'kysely';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Jsonb = ColumnType<unknown, string | null, string | null>;

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
    seq: Generated<string>;
    job_id: string | null;
    kind: string;
    release: string;
    change: string;
    row_key: string;
    before: Jsonb;
    after: Jsonb;
    created_at: DefaultTimestamp;
  };
  analytics_bts_crossings: {
    port_code: string;
    month: string;
    measure: string;
    occurrence: number;
    value: string;
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
