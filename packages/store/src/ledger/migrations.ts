import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../migrations/types';

/**
 * Ledger tables (range 0100–0199). Tiles and entry bundles live in the blob store; these tables
 * hold what is mutable or private: the published checkpoint per log (for PostgreSQL deployments),
 * the record bodies (under access control, erasable without touching the tree), organisations'
 * public signing keys, and the witness's last cosigned checkpoint per origin.
 */
async function up0100(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ledger_checkpoints (
      origin text PRIMARY KEY,
      size bigint NOT NULL,
      note bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE ledger_entries (
      origin text NOT NULL,
      leaf_index bigint NOT NULL,
      organisation_id text NOT NULL,
      record_type text NOT NULL,
      body_sha256 text NOT NULL,
      body bytea,
      envelope bytea NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      erased_at timestamptz,
      PRIMARY KEY (origin, leaf_index)
    )`.execute(db);
  await sql`CREATE INDEX ledger_entries_org ON ledger_entries (organisation_id, leaf_index)`.execute(
    db,
  );
  await sql`
    CREATE TABLE ledger_org_keys (
      organisation_id text NOT NULL,
      key_id text NOT NULL,
      vkey text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organisation_id, key_id)
    )`.execute(db);
  await sql`
    CREATE TABLE ledger_witness_state (
      origin text PRIMARY KEY,
      size bigint NOT NULL,
      root bytea NOT NULL,
      checkpoint text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

/**
 * Every decision of consequence is committed in the same transaction as the change it records
 * (issue 12): the entry row is written first with no leaf index — an outbox the sequencer drains —
 * and gets its index once its leaf is durable in the log. v2 leaves are hiding commitments whose
 * signed opening is kept here beside the body; `subject_*` ties an entry to the record it is about.
 */
async function up0101(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ledger_entries ADD COLUMN seq bigserial`.execute(db);
  await sql`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_pkey`.execute(db);
  await sql`ALTER TABLE ledger_entries ALTER COLUMN leaf_index DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE ledger_entries ADD PRIMARY KEY (seq)`.execute(db);
  await sql`CREATE UNIQUE INDEX ledger_entries_leaf ON ledger_entries (origin, leaf_index)`.execute(
    db,
  );
  await sql`CREATE INDEX ledger_entries_pending ON ledger_entries (origin, seq) WHERE leaf_index IS NULL`.execute(
    db,
  );
  await sql`ALTER TABLE ledger_entries ADD COLUMN opening bytea`.execute(db);
  await sql`ALTER TABLE ledger_entries ADD COLUMN subject_type text`.execute(db);
  await sql`ALTER TABLE ledger_entries ADD COLUMN subject_id text`.execute(db);
  await sql`ALTER TABLE ledger_entries ADD COLUMN sequenced_at timestamptz`.execute(db);
  await sql`UPDATE ledger_entries SET sequenced_at = created_at`.execute(db);
  await sql`CREATE INDEX ledger_entries_subject ON ledger_entries (subject_type, subject_id)`.execute(
    db,
  );
}

export const ledgerMigrations: MigrationSet = {
  capability: 'ledger',
  range: [100, 199],
  migrations: { '0100_ledger': { up: up0100 }, '0101_ledger_outbox': { up: up0101 } },
};
