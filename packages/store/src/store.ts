import { sql, type Kysely } from 'kysely';
import type { Actor } from './actor';
import { TableBlobStore, type BlobStore } from './blobs';
import { BusyCache } from './busy-cache';
import type { Database } from './database';
import { StoreError } from './errors';
import { AuditRepository } from './repositories/audit';
import { AuthRepository } from './repositories/auth';
import { JobsRepository, type LiveProgress } from './repositories/jobs';
import { OrganisationsRepository } from './repositories/organisations';
import { TokensRepository } from './repositories/tokens';
import { UsersRepository } from './repositories/users';
import { LedgerRepository } from './ledger/repository';

export type Engine = 'pglite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** The data folder (PGlite), undefined for PostgreSQL or an in-memory PGlite. */
  readonly dataDir: string | undefined;
  readonly organisations: OrganisationsRepository;
  readonly users: UsersRepository;
  readonly auth: AuthRepository;
  readonly tokens: TokensRepository;
  readonly audit: AuditRepository;
  readonly jobs: JobsRepository;
  readonly ledger: LedgerRepository;
  readonly blobs: BlobStore;
  /** Reads answered from memory while a PGlite ingest holds the session (see busy-cache.ts). */
  readonly cache: BusyCache;
  /** Progress of jobs this process is running (shared by every view of this store). */
  readonly liveProgress: LiveProgress;
  /**
   * Runs `fn` with a store bound to one transaction (joined if this store already is one).
   * On PGlite the transaction holds the only session: do not use the outer store inside `fn`.
   */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /**
   * The CLI's actor: an admin of the home organisation with no user behind it (audit events show
   * `actorUserId: null`). Fails with NOT_FOUND before bootstrap.
   */
  systemActor(): Promise<Actor>;
  /** A cheap round trip, for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreParts {
  db: Kysely<Database>;
  engine: Engine;
  dataDir: string | undefined;
  blobs: BlobStore;
  liveProgress: LiveProgress;
  /** Shared by every view of one store (created on first use). */
  cache?: BusyCache;
  close: () => Promise<void>;
}

export function createStore(parts: StoreParts): Store {
  const { db, engine, liveProgress } = parts;
  const cache = parts.cache ?? new BusyCache(engine, liveProgress);
  const store: Store = {
    db,
    engine,
    dataDir: parts.dataDir,
    organisations: new OrganisationsRepository(db),
    users: new UsersRepository(db, cache),
    auth: new AuthRepository(db, cache),
    tokens: new TokensRepository(db, cache),
    audit: new AuditRepository(db),
    jobs: new JobsRepository(db, liveProgress, cache),
    ledger: new LedgerRepository(db),
    // In a transaction on PostgreSQL, blobs go through the transaction too.
    blobs: parts.blobs instanceof TableBlobStore ? new TableBlobStore(db) : parts.blobs,
    liveProgress,
    cache,
    transaction<T>(fn: (s: Store) => Promise<T>): Promise<T> {
      if (db.isTransaction) return fn(store);
      return db
        .transaction()
        .execute((trx) =>
          fn(createStore({ ...parts, cache, db: trx, close: () => Promise.resolve() })),
        );
    },
    async systemActor(): Promise<Actor> {
      const home = await store.organisations.home();
      if (!home)
        throw new StoreError(
          'NOT_FOUND',
          'this instance has no home organisation yet: run interdict start once',
        );
      return { userId: null, organisationId: home.id, role: 'admin', home: true };
    },
    async ping(): Promise<void> {
      await sql`select 1`.execute(db);
    },
    close: parts.close,
  };
  return store;
}
