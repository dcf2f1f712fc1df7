import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../migrations/types';

/**
 * Screening tables (range 0200–0299).
 * - `screening_sources`: the raw text of the latest file of each part of a list (OFAC's legacy
 *   set arrives as up to four files), so a version can be rebuilt from what was uploaded.
 * - `screening_list_versions`: one row per distinct content of a list; `current` marks the one in
 *   force. A failed import changes nothing (the ingest job is one transaction).
 * - `screening_entities`: the parsed entities of every version (JSON of the entity model).
 * - `screening_decisions`: officers' confirm/dismiss decisions on hits, per organisation.
 */
async function up0200(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE screening_sources (
      list text NOT NULL,
      part text NOT NULL,
      source_name text NOT NULL,
      sha256 text NOT NULL,
      body text NOT NULL,
      job_id text,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (list, part)
    )`.execute(db);
  await sql`
    CREATE TABLE screening_list_versions (
      id text PRIMARY KEY,
      list text NOT NULL,
      published text,
      content_hash text NOT NULL,
      counts jsonb NOT NULL,
      diff jsonb NOT NULL,
      source_name text NOT NULL,
      job_id text,
      current boolean NOT NULL DEFAULT false,
      ingested_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX screening_versions_list ON screening_list_versions (list, ingested_at)`.execute(
    db,
  );
  await sql`
    CREATE TABLE screening_entities (
      version_id text NOT NULL REFERENCES screening_list_versions (id),
      entity_id text NOT NULL,
      schema text NOT NULL,
      primary_name text NOT NULL,
      data jsonb NOT NULL,
      PRIMARY KEY (version_id, entity_id)
    )`.execute(db);
  await sql`
    CREATE TABLE screening_decisions (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      user_id text,
      entity_id text NOT NULL,
      query_name text NOT NULL,
      decision text NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
      note text NOT NULL DEFAULT '',
      score double precision,
      list_versions jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX screening_decisions_org ON screening_decisions (organisation_id, created_at)`.execute(
    db,
  );
}

/**
 * Monitoring (0201): parties an organisation keeps under watch, and every listed entity each of
 * them has hit. A hit row is written once per (party, entity), so after a list update only an
 * entity the party had never hit before becomes a new row: `trigger = 'list-update'` marks those
 * (the alerts), `'added'` the hits found when the party was added.
 */
async function up0201(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE screening_monitored_parties (
      id text PRIMARY KEY,
      organisation_id text NOT NULL,
      name text NOT NULL,
      schema text,
      birth_date text,
      nationality text,
      identifiers jsonb NOT NULL DEFAULT '[]',
      note text NOT NULL DEFAULT '',
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX screening_parties_org ON screening_monitored_parties (organisation_id, created_at)`.execute(
    db,
  );
  await sql`
    CREATE TABLE screening_party_hits (
      party_id text NOT NULL REFERENCES screening_monitored_parties (id) ON DELETE CASCADE,
      entity_id text NOT NULL,
      organisation_id text NOT NULL,
      list_version text NOT NULL,
      trigger text NOT NULL CHECK (trigger IN ('added', 'list-update')),
      score double precision NOT NULL,
      entity_name text NOT NULL,
      matched_name text NOT NULL,
      explanation jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (party_id, entity_id)
    )`.execute(db);
  await sql`CREATE INDEX screening_party_hits_org ON screening_party_hits (organisation_id, trigger, created_at)`.execute(
    db,
  );
}

/**
 * Ledger commitments of decisions (0202): the log origin and leaf index of the envelope that
 * commits to each decision (null until it is appended, and for decisions taken before).
 */
async function up0202(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE screening_decisions ADD COLUMN ledger_origin text`.execute(db);
  await sql`ALTER TABLE screening_decisions ADD COLUMN ledger_index bigint`.execute(db);
}

/**
 * Monitoring that officers run (0203): a per-party alert threshold (null: the organisation's
 * default), a per-organisation default, and acknowledgement of alerts (who, when, with a note).
 * An acknowledged alert leaves the open queue but its row stays, so the history is kept.
 */
async function up0203(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE screening_monitored_parties ADD COLUMN threshold double precision
    CHECK (threshold IS NULL OR (threshold >= 0.5 AND threshold <= 1))`.execute(db);
  await sql`
    CREATE TABLE screening_monitor_settings (
      organisation_id text PRIMARY KEY,
      threshold double precision NOT NULL CHECK (threshold >= 0.5 AND threshold <= 1),
      updated_by text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`ALTER TABLE screening_party_hits ADD COLUMN acknowledged_at timestamptz`.execute(db);
  await sql`ALTER TABLE screening_party_hits ADD COLUMN acknowledged_by text`.execute(db);
  await sql`ALTER TABLE screening_party_hits ADD COLUMN acknowledgement_note text`.execute(db);
  await sql`CREATE INDEX screening_party_hits_open ON screening_party_hits
    (organisation_id, created_at) WHERE trigger = 'list-update' AND acknowledged_at IS NULL`.execute(
    db,
  );
}

export const screeningMigrations: MigrationSet = {
  capability: 'screening',
  range: [200, 299],
  migrations: {
    '0200_screening': { up: up0200 },
    '0201_screening_monitoring': { up: up0201 },
    '0202_screening_decision_ledger': { up: up0202 },
    '0203_screening_monitoring_thresholds_acks': { up: up0203 },
  },
};
