import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../migrations/types';

/**
 * Analytics tables (range 0400–0499). Every data row keeps `source_name` and `source_line`, the
 * file and line it came from, so every figure the API shows can be traced to its rows. Each
 * table's primary key is the row's natural key plus `occurrence` (the n-th row with that key in
 * its file), because some sources repeat keys on purpose (UNODC: separate quantities) or by
 * upstream accident (BTS: 11 duplicated keys), and both must be kept as they were.
 */
async function up0400(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE analytics_sources (
      kind text NOT NULL,
      release text NOT NULL,
      source_name text NOT NULL,
      sha256 text NOT NULL,
      row_count integer NOT NULL,
      first_period text,
      last_period text,
      job_id text,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, release)
    )`.execute(db);
  await sql`
    CREATE TABLE analytics_changes (
      seq bigserial PRIMARY KEY,
      job_id text,
      kind text NOT NULL,
      release text NOT NULL,
      change text NOT NULL,
      row_key text NOT NULL,
      before jsonb,
      after jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX analytics_changes_job ON analytics_changes (job_id)`.execute(db);

  await sql`
    CREATE TABLE analytics_bts_crossings (
      port_code text NOT NULL,
      month text NOT NULL,
      measure text NOT NULL,
      occurrence smallint NOT NULL,
      value bigint NOT NULL,
      port_name text NOT NULL,
      state text NOT NULL,
      border text NOT NULL,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      PRIMARY KEY (port_code, month, measure, occurrence)
    )`.execute(db);
  await sql`CREATE INDEX analytics_bts_measure_month ON analytics_bts_crossings (measure, month)`.execute(
    db,
  );

  await sql`
    CREATE TABLE analytics_bts_ports (
      port_code text NOT NULL,
      occurrence smallint NOT NULL,
      port_name text NOT NULL,
      state text NOT NULL,
      border text NOT NULL,
      latitude double precision,
      longitude double precision,
      first_month text NOT NULL,
      last_month text NOT NULL,
      row_count integer NOT NULL,
      field_office text,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      PRIMARY KEY (port_code, occurrence)
    )`.execute(db);

  await sql`
    CREATE TABLE analytics_cbp_seizures (
      release text NOT NULL,
      fiscal_year integer NOT NULL,
      fiscal_month text NOT NULL,
      component text NOT NULL,
      region text NOT NULL,
      land_filter text NOT NULL,
      aor text NOT NULL,
      drug text NOT NULL,
      occurrence smallint NOT NULL,
      month text NOT NULL,
      fytd boolean NOT NULL,
      events integer NOT NULL,
      pounds double precision NOT NULL,
      effective boolean NOT NULL DEFAULT false,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      PRIMARY KEY (release, fiscal_year, fiscal_month, component, region, land_filter, aor, drug, occurrence)
    )`.execute(db);
  await sql`CREATE INDEX analytics_cbp_effective_month ON analytics_cbp_seizures (effective, month)`.execute(
    db,
  );

  await sql`
    CREATE TABLE analytics_unodc_seizures (
      year integer NOT NULL,
      country_code text NOT NULL,
      drug_group text NOT NULL,
      drug_sub_group text NOT NULL,
      drug_name text NOT NULL,
      occurrence smallint NOT NULL,
      region text NOT NULL,
      sub_region text NOT NULL,
      country text NOT NULL,
      kilograms double precision,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      PRIMARY KEY (year, country_code, drug_group, drug_sub_group, drug_name, occurrence)
    )`.execute(db);

  await sql`
    CREATE TABLE analytics_wpi_ports (
      wpi_number text NOT NULL,
      occurrence smallint NOT NULL,
      name text NOT NULL,
      alternate_name text,
      unlocode text,
      country_name text,
      region text NOT NULL,
      water_body text NOT NULL,
      harbor_size text,
      harbor_type text,
      harbor_use text,
      latitude double precision NOT NULL,
      longitude double precision NOT NULL,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      PRIMARY KEY (wpi_number, occurrence)
    )`.execute(db);

  await sql`
    CREATE TABLE analytics_unlocode (
      locode text NOT NULL,
      occurrence smallint NOT NULL,
      country text NOT NULL,
      name text NOT NULL,
      name_wo_diacritics text NOT NULL,
      subdivision text,
      status text,
      functions text NOT NULL,
      is_port boolean NOT NULL,
      is_border_crossing boolean NOT NULL,
      iata text,
      latitude double precision,
      longitude double precision,
      geocoded boolean NOT NULL,
      repaired boolean NOT NULL,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      PRIMARY KEY (locode, occurrence)
    )`.execute(db);
}

export const analyticsMigrations: MigrationSet = {
  capability: 'analytics',
  range: [400, 499],
  migrations: {
    '0400_analytics_tables': { up: up0400 },
  },
};
