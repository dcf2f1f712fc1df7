import type { Kysely } from 'kysely';

/**
 * A forward-only migration. There is deliberately no `down`: a deployed schema only moves
 * forward; a mistake is fixed by a later migration.
 */
export interface ForwardMigration {
  up(db: Kysely<unknown>): Promise<void>;
}

/**
 * One capability's migrations, keyed `NNNN_description`; NNNN must fall inside `range`
 * (platform 1–99, ledger 100–199, screening 200–299, …) so capabilities never collide.
 */
export interface MigrationSet {
  readonly capability: string;
  readonly range: readonly [number, number];
  readonly migrations: Readonly<Record<string, ForwardMigration>>;
}
