import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describeError } from '@interdict/core';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { FolderBlobStore, MemoryBlobStore, TableBlobStore, type BlobStore } from './blobs';
import type { Database } from './database';
import { StoreError } from './errors';
import { migrationSets } from './migrations/index';
import { RegistryMigrationProvider } from './migrations/provider';
import { lockDataFolder } from './folder-lock';
import { PGliteDialect } from './pglite-dialect';
import { createStore, type Store } from './store';
import './ingest/kinds';

/** The little of a logger the store uses (pino's Logger fits). */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OpenStoreOptions {
  /** PGlite data folder (created with its parents), or `memory://` for a throwaway store. */
  dataDir?: string;
  /** PostgreSQL connection string; wins over `dataDir` when both are given. */
  databaseUrl?: string;
  logger?: StoreLogger;
  /** Pool size for PostgreSQL (default 10). */
  poolSize?: number;
}

export const DEFAULT_DATA_DIR = './.interdict';
export const MEMORY = 'memory://';

/**
 * Opens the store and runs pending migrations. Explicit options win; otherwise `DATABASE_URL`
 * selects PostgreSQL and `INTERDICT_DATA` (default `./.interdict`) the embedded PGlite.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const databaseUrl =
    options.databaseUrl ?? (options.dataDir === undefined ? process.env.DATABASE_URL : undefined);
  const store = databaseUrl
    ? openPostgres(databaseUrl, options.poolSize ?? 10)
    : await openPGlite(options.dataDir ?? process.env.INTERDICT_DATA ?? DEFAULT_DATA_DIR);
  try {
    await migrate(store, options.logger);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

async function openPGlite(dataDir: string): Promise<Store> {
  const memory = dataDir === MEMORY;
  const root = memory ? undefined : path.resolve(dataDir);
  let pglite: PGlite;
  let unlock: () => Promise<void> = () => Promise.resolve();
  try {
    if (root) {
      await mkdir(path.join(root, 'blobs'), { recursive: true });
      unlock = await lockDataFolder(root);
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `cannot open the data folder ${root}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    // PGlite does not create parent folders; its cluster lives in `pgdata` beside `blobs`.
    pglite = await PGlite.create(root ? path.join(root, 'pgdata') : MEMORY);
  } catch (error) {
    await unlock();
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `cannot open the data folder ${root ?? MEMORY}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  const blobs: BlobStore = root
    ? new FolderBlobStore(path.join(root, 'blobs'))
    : new MemoryBlobStore();
  return createStore({
    db,
    engine: 'pglite',
    dataDir: root,
    blobs,
    liveProgress: new Map(),
    close: async () => {
      await db.destroy();
      await unlock();
    },
  });
}

const INT8_OID = 20;
const parseInt8 = (value: string): number => Number(value);
/** pg's parsers, except int8 (counts, bigserial) as numbers, as PGlite returns them. */
const parseTypes = ((oid: number, format?: 'text' | 'binary'): unknown =>
  oid === INT8_OID && format !== 'binary'
    ? parseInt8
    : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(
        oid,
        format,
      )) as typeof pg.types.getTypeParser;

function openPostgres(databaseUrl: string, poolSize: number): Store {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch (error) {
    throw new StoreError('INVALID_ARGUMENT', 'DATABASE_URL is not a valid URL', { cause: error });
  }
  // The project's PostgreSQL uses trust auth; a URL without a user means `postgres`.
  if (url.username === '') url.username = 'postgres';
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: poolSize,
    // int8 (counts, bigserial) as numbers, as PGlite returns them, so both engines agree.
    types: { getTypeParser: parseTypes },
  });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  // Likewise for a client checked out between queries (e.g. the ledger's sequencer-lock session):
  // without a listener its 'error' event would crash the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return createStore({
    db,
    engine: 'postgres',
    dataDir: undefined,
    blobs: new TableBlobStore(db),
    liveProgress: new Map(),
    close: () => db.destroy(),
  });
}

async function migrate(store: Store, logger: StoreLogger | undefined): Promise<void> {
  // Kysely looks for its migration tables in every schema unless told which: a database holding
  // several Interdict schemas (parallel test runs) would find another schema's lock table and
  // never create its own. Pin them to the schema this connection works in.
  const schema =
    store.engine === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: new RegistryMigrationProvider(migrationSets),
    // Capabilities land in any order, so a lower-numbered set may arrive after a higher one ran.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') logger?.info({ migration: r.migrationName }, 'migration applied');
    if (r.status === 'Error') logger?.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('MIGRATION_FAILED', `migration failed: ${describeError(error)}`, {
      cause: error,
    });
  }
}
