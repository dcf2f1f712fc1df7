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

export const ledgerMigrations: MigrationSet = {
  capability: 'ledger',
  range: [100, 199],
  migrations: { '0100_ledger': { up: up0100 } },
};
