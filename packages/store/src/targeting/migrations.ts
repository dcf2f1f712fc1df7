import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../migrations/types';

/**
 * Targeting tables (range 0300–0399), all scoped by organisation:
 * - `targeting_declarations`: declarations as ingested (fields as JSON), with the latest score,
 *   lane and reasons once scored;
 * - `targeting_inspections`: inspection results (from an import's labels or recorded by an
 *   officer), the feedback the next training learns from;
 * - `targeting_models`: trained models (the model file's JSON) with their training metadata;
 * - `targeting_rules`: officers' rules (conditions → lane, validity dates, explanation).
 */
async function up0300(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE targeting_declarations (
      organisation_id text NOT NULL,
      id text NOT NULL,
      date text NOT NULL,
      data jsonb NOT NULL,
      source_name text NOT NULL,
      source_line integer NOT NULL,
      job_id text,
      score double precision,
      lane text,
      reasons jsonb,
      model_id text,
      scored_at timestamptz,
      PRIMARY KEY (organisation_id, id)
    )`.execute(db);
  await sql`CREATE INDEX targeting_declarations_date ON targeting_declarations (organisation_id, date)`.execute(
    db,
  );
  await sql`
    CREATE TABLE targeting_inspections (
      organisation_id text NOT NULL,
      declaration_id text NOT NULL,
      fraud smallint NOT NULL CHECK (fraud IN (0, 1)),
      critical smallint NOT NULL CHECK (critical IN (0, 1, 2)),
      source text NOT NULL CHECK (source IN ('import', 'officer')),
      note text NOT NULL DEFAULT '',
      recorded_by text,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organisation_id, declaration_id)
    )`.execute(db);
  await sql`
    CREATE TABLE targeting_models (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      objective text NOT NULL CHECK (objective IN ('fraud', 'critical')),
      active boolean NOT NULL DEFAULT false,
      training jsonb NOT NULL,
      body text NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX targeting_models_org ON targeting_models (organisation_id, objective, created_at)`.execute(
    db,
  );
  await sql`
    CREATE TABLE targeting_rules (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      rule jsonb NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

/**
 * Parties by name (0301): the importer, consignee and seller names (and countries) a declaration
 * carries when its schema has them (the KCS benchmark codes its parties, so it has none). Kept
 * out of the declaration's JSON so one table answers "which declarations name this party" (by
 * the index on name) and scoring screens each day's names against the watchlists (issue 6 §4).
 */
async function up0301(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE targeting_declaration_parties (
      organisation_id text NOT NULL,
      declaration_id text NOT NULL,
      role text NOT NULL CHECK (role IN ('importer', 'consignee', 'seller')),
      name text NOT NULL,
      country text,
      PRIMARY KEY (organisation_id, declaration_id, role)
    )`.execute(db);
  await sql`CREATE INDEX targeting_declaration_parties_name ON targeting_declaration_parties (organisation_id, lower(name))`.execute(
    db,
  );
}

/**
 * The Critical Fraud model's probability (0302): when the organisation has an active Critical
 * model, scoring a day stores each declaration's critical probability and that model's id beside
 * the Fraud score, so the queue can show, sort and filter by it. Null when no Critical model
 * scored the day. Re-ingesting a declaration clears its score; reads treat a critical score
 * without a score as stale (repository.ts), so ingest need not know about this column.
 */
async function up0302(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE targeting_declarations
    ADD COLUMN critical_score double precision,
    ADD COLUMN critical_model_id text`.execute(db);
}

/**
 * An officer's release of a red-lane declaration (0303, issue 12 §6): who released it, when and
 * why. The stored lane stays the one the day's scoring chose, so the selection the ledger
 * recorded remains readable; reads show a released declaration in the green lane with its
 * release. A new scoring of the day, or re-ingesting the declaration, is a new selection and
 * clears the release (the ledger keeps both).
 */
async function up0303(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE targeting_declarations
    ADD COLUMN released_at timestamptz,
    ADD COLUMN released_by text,
    ADD COLUMN release_reason text`.execute(db);
}

export const targetingMigrations: MigrationSet = {
  capability: 'targeting',
  range: [300, 399],
  migrations: {
    '0300_targeting': { up: up0300 },
    '0301_targeting_parties': { up: up0301 },
    '0302_targeting_critical_score': { up: up0302 },
    '0303_targeting_release': { up: up0303 },
  },
};
